// feedwatch articles search QUERY [--json]: the running daemon's stored articles that match
// a watchlist query, newest first (/api/v1/articles?q=).
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"

namespace feedwatch::cli {
namespace {

using nlohmann::json;

constexpr const char* k_usage =
    "usage: feedwatch articles search QUERY [--json] [--limit N] [--feed URL] [--since TIME|DURATION]\n"
    "                                 [--url http://127.0.0.1:9464] [--token-file FILE]\n"
    "QUERY is a watchlist query ('Huawei OR \"Unit 61398\"'). Searches the newest stored articles\n"
    "(at most 20000 per call). The token comes from --token-file or $FEEDWATCH_TOKEN.\n";

}  // namespace

int articles_command(const std::vector<std::string>& args)
{
    if (args.empty() || args[0] != "search") {
        std::cerr << k_usage;
        return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? 0 : 64;
    }
    api_client::Options options;
    std::string query;
    std::string extra;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        std::string error;
        if ((arg == "--limit" || arg == "--feed" || arg == "--since") && i + 1 < args.size()) {
            extra += "&" + arg.substr(2) + "=" + api_client::url_encode(args[++i]);
        } else if (api_client::take_option(args, i, options, error)) {
            if (!error.empty()) {
                std::cerr << "feedwatch articles: " << error << "\n";
                return 64;
            }
        } else if (query.empty() && !arg.starts_with("--")) {
            query = arg;
        } else {
            std::cerr << "feedwatch articles: unexpected argument '" << arg << "'\n" << k_usage;
            return 64;
        }
    }
    if (query.empty()) {
        std::cerr << "feedwatch articles search: give a QUERY\n" << k_usage;
        return 64;
    }
    api_client::finish(options);
    const auto reply = api_client::get(options, "/api/v1/articles?q=" + api_client::url_encode(query) + extra);
    if (reply.status != 200) {
        return api_client::report_failure("articles", options, reply);
    }
    if (options.json) {
        std::cout << reply.body;
        return 0;
    }
    const json body = json::parse(reply.body, nullptr, false);
    if (body.is_discarded() || !body.contains("articles") || !body["articles"].is_array()) {
        std::cerr << "feedwatch articles: unexpected answer from the daemon\n";
        return 70;
    }
    for (const json& article : body["articles"]) {
        const json& feed = article.value("feed", json::object());
        const json published = article.value("published", json());
        std::cout << (published.is_string() ? published.get<std::string>() : article.value("first_seen", "")) << "  "
                  << feed.value("title", feed.value("url", "")) << "\n    " << article.value("title", "") << "\n    "
                  << article.value("link", "");
        std::string terms;
        for (const json& match : article.value("matches", json::array())) {
            terms += (terms.empty() ? "" : ", ") + match.value("term", "");
        }
        std::cout << (terms.empty() ? "" : "\n    matched: " + terms) << "\n";
    }
    std::cout << body["articles"].size() << " articles (" << body.value("scanned", 0) << " scanned)";
    if (body.contains("next") && body["next"].is_string()) {
        std::cout << "; more may match older articles";
    }
    std::cout << "\n";
    return 0;
}

}  // namespace feedwatch::cli
