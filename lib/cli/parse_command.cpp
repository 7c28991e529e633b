#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "core/asio.hpp"
#include "http/client.hpp"
#include "parse/feed_json.hpp"
#include "parse/parser.hpp"

namespace feedwatch::cli {
namespace {

struct Source {
    std::string body;
    std::string content_type;
    std::string base;
};

bool is_url(const std::string& text) { return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0; }

// The user named this URL, so private addresses are allowed here (unlike in the daemon).
core::Result<Source> download(const std::string& url)
{
    asio::io_context io;
    http::Client client(io);
    core::Result<Source> result = core::fail(core::ErrorCode::cancelled, "not run");
    // A named closure: a lambda coroutine refers to its closure object, which must outlive run().
    auto transfer = [&]() -> asio::awaitable<void> {
            http::Request request;
            request.url = url;
            request.private_networks = http::PrivateNetworks::allow;
            auto response = co_await client.perform(std::move(request));
            client.stop();
            if (!response) {
                result = tl::unexpected(response.error());
            } else if (response->status < 200 || response->status > 299) {
                result = core::fail(core::ErrorCode::http_status, url + ": HTTP " + std::to_string(response->status));
            } else {
                result = Source{std::move(response->body), response->header("content-type"), response->effective_url};
            }
    };
    asio::co_spawn(io, transfer(), asio::detached);
    io.run();
    return result;
}

core::Result<Source> read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::fail(core::ErrorCode::io, path + ": cannot open");
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    return Source{contents.str(), "", ""};
}

}  // namespace

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
    auto source = is_url(input) ? download(input) : read_file(input);
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
