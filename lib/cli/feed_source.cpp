#include "cli/feed_source.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "core/asio.hpp"
#include "http/client.hpp"

namespace feedwatch::cli {
namespace {

core::Result<FeedSource> download(const std::string& url)
{
    asio::io_context io;
    http::Client client(io);
    core::Result<FeedSource> result = core::fail(core::ErrorCode::cancelled, "not run");
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
            result = FeedSource{std::move(response->body), response->header("content-type"), response->effective_url};
        }
    };
    asio::co_spawn(io, transfer(), asio::detached);
    io.run();
    return result;
}

}  // namespace

bool is_url(const std::string& text) { return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0; }

core::Result<FeedSource> read_feed_source(const std::string& input)
{
    if (input == "-") {
        return FeedSource{std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()), "", ""};
    }
    if (is_url(input)) {
        return download(input);
    }
    std::ifstream in(input, std::ios::binary);
    if (!in) {
        return core::fail(core::ErrorCode::io, input + ": cannot open");
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    return FeedSource{contents.str(), "", ""};
}

}  // namespace feedwatch::cli
