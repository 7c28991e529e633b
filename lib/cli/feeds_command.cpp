// feedwatch feeds [--json]: the running daemon's feeds, failing and stale ones first, read
// from its HTTP API (/api/v1/feeds). Also the small API client shared with
// `feedwatch articles`.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/asio.hpp"
#include "http/client.hpp"

namespace feedwatch::cli {

using nlohmann::json;

namespace api_client {

bool take_option(const std::vector<std::string>& args, std::size_t& i, Options& options, std::string& error)
{
    const std::string& arg = args[i];
    if ((arg == "--url" || arg == "--token-file") && i + 1 >= args.size()) {
        error = arg + " needs a value";
        return true;
    }
    if (arg == "--url") {
        options.url = args[++i];
        while (options.url.size() > 1 && options.url.back() == '/') {
            options.url.pop_back();
        }
        return true;
    }
    if (arg == "--token-file") {
        const std::string path = args[++i];
        std::ifstream in(path);
        if (!in) {
            error = "cannot read --token-file " + path;
            return true;
        }
        std::ostringstream text;
        text << in.rdbuf();
        options.token = text.str();
        return true;
    }
    if (arg == "--json") {
        options.json = true;
        return true;
    }
    return false;
}

void finish(Options& options)
{
    if (options.token.empty()) {
        if (const char* token = std::getenv("FEEDWATCH_TOKEN")) {
            options.token = token;
        }
    }
    const auto begin = options.token.find_first_not_of(" \t\r\n");
    options.token = begin == std::string::npos
                        ? std::string{}
                        : options.token.substr(begin, options.token.find_last_not_of(" \t\r\n") + 1 - begin);
}

std::string url_encode(std::string_view text)
{
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += k_hex[byte >> 4];
            out += k_hex[byte & 15];
        }
    }
    return out;
}

Reply get(const Options& options, const std::string& path_and_query)
{
    asio::io_context io;
    http::Client client(io);
    Reply reply;
    auto exchange = [&]() -> asio::awaitable<void> {
        http::Request request;
        request.method = "GET";
        request.url = options.url + path_and_query;
        if (!options.token.empty()) {
            request.headers.push_back(http::Header{"Authorization", "Bearer " + options.token});
        }
        request.timeout = std::chrono::seconds{10};
        request.max_redirects = 0;
        request.private_networks = http::PrivateNetworks::allow;  // the daemon's own listener
        auto response = co_await client.perform(std::move(request));
        if (response) {
            reply.status = response->status;
            reply.body = std::move(response->body);
        } else {
            reply.error = response.error().detail;
        }
        client.stop();
    };
    asio::co_spawn(io, exchange(), asio::detached);
    io.run();
    return reply;
}

int report_failure(std::string_view command, const Options& options, const Reply& reply)
{
    if (!reply.error.empty()) {
        std::cerr << "feedwatch " << command << ": cannot reach the daemon at " << options.url << ": " << reply.error
                  << "\n(is feedwatchd running? pass --url http://HOST:PORT for another [daemon] listen)\n";
        return 69;  // EX_UNAVAILABLE
    }
    const json body = json::parse(reply.body, nullptr, false);
    const std::string message = !body.is_discarded() && body.is_object() ? body.value("error", reply.body) : reply.body;
    std::cerr << "feedwatch " << command << ": HTTP " << reply.status << ": " << message << "\n";
    if (reply.status == 401) {
        std::cerr << "(pass --token-file FILE or set FEEDWATCH_TOKEN to the daemon's [daemon] api_token_file)\n";
        return 77;  // EX_NOPERM
    }
    return reply.status == 400 ? 65 : 70;
}

}  // namespace api_client

namespace {

constexpr const char* k_feeds_usage =
    "usage: feedwatch feeds [--json] [--url http://127.0.0.1:9464] [--token-file FILE]\n"
    "Lists the running daemon's feeds, failing and stale ones first. The token comes from\n"
    "--token-file or $FEEDWATCH_TOKEN when the daemon has [daemon] api_token_file.\n";

int rank(const json& feed)
{
    const std::string state = feed.value("state", "");
    if (state == "failing" || state == "disabled") {
        return 0;
    }
    if (feed.value("stale", false)) {
        return 1;
    }
    return state == "new" ? 2 : 3;
}

std::string text_of(const json& value)
{
    return value.is_string() ? value.get<std::string>() : value.is_number() ? value.dump() : std::string("-");
}

}  // namespace

int feeds_command(const std::vector<std::string>& args)
{
    api_client::Options options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string error;
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << k_feeds_usage;
            return 0;
        }
        if (!api_client::take_option(args, i, options, error)) {
            std::cerr << "feedwatch feeds: unexpected argument '" << args[i] << "'\n" << k_feeds_usage;
            return 64;
        }
        if (!error.empty()) {
            std::cerr << "feedwatch feeds: " << error << "\n";
            return 64;
        }
    }
    api_client::finish(options);
    const auto reply = api_client::get(options, "/api/v1/feeds");
    if (reply.status != 200) {
        return api_client::report_failure("feeds", options, reply);
    }
    if (options.json) {
        std::cout << reply.body;
        return 0;
    }
    json body = json::parse(reply.body, nullptr, false);
    if (body.is_discarded() || !body.contains("feeds") || !body["feeds"].is_array()) {
        std::cerr << "feedwatch feeds: unexpected answer from the daemon\n";
        return 70;
    }
    std::vector<json> feeds(body["feeds"].begin(), body["feeds"].end());
    std::stable_sort(feeds.begin(), feeds.end(), [](const json& a, const json& b) { return rank(a) < rank(b); });
    std::cout << "STATE     ERRORS  LAST POLL         LAST SUCCESS          NEXT POLL             FEED\n";
    for (const json& feed : feeds) {
        std::string state = feed.value("state", "");
        if (feed.value("stale", false)) {
            state += "*";
        }
        state.resize(std::max<std::size_t>(state.size(), 9), ' ');
        std::string errors = text_of(feed["consecutive_errors"]);
        errors.resize(std::max<std::size_t>(errors.size(), 7), ' ');
        std::string outcome = feed["last_outcome"].is_string() ? feed["last_outcome"].get<std::string>() : "-";
        if (feed["last_status"].is_number()) {
            outcome += " " + text_of(feed["last_status"]);
        }
        outcome.resize(std::max<std::size_t>(outcome.size(), 17), ' ');
        std::string last = text_of(feed["last_success"]);
        last.resize(std::max<std::size_t>(last.size(), 21), ' ');
        std::string next = text_of(feed["next_poll"]);
        next.resize(std::max<std::size_t>(next.size(), 21), ' ');
        const std::string title = feed.value("title", "");
        std::cout << state << " " << errors << " " << outcome << " " << last << " " << next << " " << feed.value("url", "")
                  << (title.empty() ? "" : "  (" + title + ")") << "\n";
    }
    std::cout << feeds.size() << " feeds (* = stale: no successful poll for three intervals)\n";
    return 0;
}

}  // namespace feedwatch::cli
