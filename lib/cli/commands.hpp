#pragma once
// The feedwatch command-line tool. Each command returns the process exit status.
#include <string>
#include <vector>

namespace feedwatch::cli {

// Dispatches argv (without the program name) to a command.
int run(const std::vector<std::string>& args);

// feedwatch parse FILE|URL --json [--content-type CT] [--base URL]
int parse_command(const std::vector<std::string>& args);
// feedwatch check-config FILE
int check_config_command(const std::vector<std::string>& args);
// feedwatch demo --feeds DIR [--origin ADDR] [--receiver ADDR] [--secret-file FILE] [--publish-every DURATION]
int demo_command(const std::vector<std::string>& args);
// feedwatch match --watchlists FILE [--query Q] FEED_FILE|URL|-: 0 matched, 1 nothing, 78 bad watchlist
int match_command(const std::vector<std::string>& args);
// feedwatch alerts list [--pending|--dead] [--json] | requeue ID|--dead  [--config FILE | --listen HOST:PORT]
int alerts_command(const std::vector<std::string>& args);

}  // namespace feedwatch::cli
