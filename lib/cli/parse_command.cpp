#include <iostream>

#include "cli/commands.hpp"
#include "cli/feed_source.hpp"
#include "parse/feed_json.hpp"
#include "parse/parser.hpp"

namespace feedwatch::cli {

int parse_command(const std::vector<std::string>& args)
{
    std::string input;
    std::string content_type;
    std::string base;
    bool json = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") {
            json = true;
        } else if (args[i] == "--content-type" && i + 1 < args.size()) {
            content_type = args[++i];
        } else if (args[i] == "--base" && i + 1 < args.size()) {
            base = args[++i];
        } else if (input.empty() && (args[i] == "-" || args[i].rfind("--", 0) != 0)) {
            input = args[i];
        } else {
            std::cerr << "feedwatch parse: unexpected argument '" << args[i] << "'\n";
            return 64;
        }
    }
    if (input.empty()) {
        std::cerr << "usage: feedwatch parse FILE|URL --json [--content-type CT] [--base URL]\n";
        return 64;
    }
    auto source = read_feed_source(input);
    if (!source) {
        std::cerr << "feedwatch parse: " << source.error().detail << '\n';
        return 1;
    }
    const parse::ParseOptions options{content_type.empty() ? source->content_type : content_type,
                                      base.empty() ? source->base : base};
    const auto parsed = parse::parse_feed(source->body, options);
    if (!parsed) {
        std::cerr << "feedwatch parse: " << input << ": " << parsed.error().detail << '\n';
        return 65;
    }
    if (json) {
        std::cout << parse::to_json(*parsed) << '\n';
    } else {
        std::cout << parsed->format << ", " << parsed->items.size() << " items: " << parsed->feed.title << '\n';
        for (const auto& item : parsed->items) {
            std::cout << "  " << item.title << "  " << item.link << '\n';
        }
    }
    return 0;
}

}  // namespace feedwatch::cli
