#pragma once
// The feedwatch command-line tool. Each command returns the process exit status.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace feedwatch::cli {

// Dispatches argv (without the program name) to a command.
int run(const std::vector<std::string>& args);

// feedwatch parse FILE|URL --json [--content-type CT] [--base URL]
int parse_command(const std::vector<std::string>& args);
// feedwatch check-config FILE
int check_config_command(const std::vector<std::string>& args);
// feedwatch import-opml FILE: prints [[feed]] tables; 65 when an outline was skipped
int import_opml_command(const std::vector<std::string>& args);
// feedwatch demo --feeds DIR [--origin ADDR] [--receiver ADDR] [--secret-file FILE] [--publish-every DURATION]
int demo_command(const std::vector<std::string>& args);
// feedwatch match --watchlists FILE [--query Q] FEED_FILE|URL|-: 0 matched, 1 nothing, 78 bad watchlist
int match_command(const std::vector<std::string>& args);
// feedwatch group [--config FILE] [--input FILE|-]: prints id<TAB>story per JSON line; 65 on a
// line that is not a JSON object with an id
int group_command(const std::vector<std::string>& args);
// feedwatch alerts list [--pending|--dead] [--json] | requeue ID|--dead  [--config FILE | --listen HOST:PORT]
int alerts_command(const std::vector<std::string>& args);
// feedwatch feeds [--json] [--url URL] [--token-file FILE]
int feeds_command(const std::vector<std::string>& args);
// feedwatch articles search QUERY [--json] [--limit N] [--feed URL] [--since T] [--url URL] [--token-file FILE]
int articles_command(const std::vector<std::string>& args);

// The daemon API client behind `feeds` and `articles`: --url (default
// http://127.0.0.1:9464), a bearer token from --token-file or $FEEDWATCH_TOKEN.
namespace api_client {
struct Options {
    std::string url = "http://127.0.0.1:9464";
    std::string token;
    bool json = false;
};
struct Reply {
    long status = 0;
    std::string body;
    std::string error;  // transport failure
};
// Consumes args[i] (and its value) when it is --url, --token-file or --json; error set when
// the option is unusable.
bool take_option(const std::vector<std::string>& args, std::size_t& i, Options& options, std::string& error);
// Falls back to $FEEDWATCH_TOKEN; trims the token.
void finish(Options& options);
std::string url_encode(std::string_view text);
Reply get(const Options& options, const std::string& path_and_query);
// Prints why and returns the exit status (69 unreachable, 77 token, 65 bad request, 70 other).
int report_failure(std::string_view command, const Options& options, const Reply& reply);
}  // namespace api_client

}  // namespace feedwatch::cli
