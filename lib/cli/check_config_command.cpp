#include <iostream>

#include "cli/commands.hpp"
#include "config/config.hpp"

namespace feedwatch::cli {

int check_config_command(const std::vector<std::string>& args)
{
    if (args.size() != 1) {
        std::cerr << "usage: feedwatch check-config FILE\n";
        return 64;
    }
    const auto loaded = config::load_config(args[0]);
    if (!loaded) {
        for (const auto& error : loaded.error()) {
            std::cerr << error.to_string() << '\n';
        }
        return 78;
    }
    std::cout << args[0] << ": ok: " << loaded->feeds.size() << " feeds, " << loaded->watchlists.size()
              << " watchlists, " << loaded->webhooks.size() << " webhooks\n";
    return 0;
}

}  // namespace feedwatch::cli
