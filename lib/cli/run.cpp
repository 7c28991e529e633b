#include <iostream>

#include "cli/commands.hpp"

namespace feedwatch::cli {

namespace {

int usage(std::ostream& out, int code)
{
    out << "usage: feedwatch parse FILE|URL --json [--content-type CT] [--base URL]\n"
           "       feedwatch check-config FILE\n"
           "       feedwatch import-opml FILE\n"
           "       feedwatch match --watchlists FILE [--query QUERY] FEED_FILE|URL|-\n"
           "       feedwatch group [--config FILE] [--input FILE|-]\n"
           "       feedwatch alerts list [--pending|--dead] [--json] [--config FILE | --listen HOST:PORT]\n"
           "       feedwatch alerts requeue ID|--dead [--config FILE | --listen HOST:PORT]\n"
           "       feedwatch feeds [--json] [--url URL] [--token-file FILE]\n"
           "       feedwatch articles search QUERY [--json] [--limit N] [--feed URL] [--since T] [--url URL]\n"
           "                                 [--token-file FILE]\n"
           "       feedwatch demo --feeds DIR [--origin HOST:PORT] [--receiver HOST:PORT] [--secret-file FILE]\n"
           "                      [--publish-every DURATION]\n"
           "       feedwatch --version\n";
    return code;
}

}  // namespace

int run(const std::vector<std::string>& args)
{
    if (args.empty()) {
        return usage(std::cerr, 64);
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    const std::string& command = args[0];
    if (command == "parse") {
        return parse_command(rest);
    }
    if (command == "match") {
        return match_command(rest);
    }
    if (command == "group") {
        return group_command(rest);
    }
    if (command == "alerts") {
        return alerts_command(rest);
    }
    if (command == "feeds") {
        return feeds_command(rest);
    }
    if (command == "articles") {
        return articles_command(rest);
    }
    if (command == "import-opml") {
        return import_opml_command(rest);
    }
    if (command == "check-config") {
        return check_config_command(rest);
    }
    if (command == "demo") {
        return demo_command(rest);
    }
    if (command == "--version") {
        std::cout << "feedwatch " FEEDWATCH_VERSION "\n";
        return 0;
    }
    if (command == "--help" || command == "-h" || command == "help") {
        return usage(std::cout, 0);
    }
    std::cerr << "feedwatch: unknown command '" << command << "'\n";
    return usage(std::cerr, 64);
}

}  // namespace feedwatch::cli
