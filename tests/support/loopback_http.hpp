#pragma once
// Blocking loopback helpers for tests that talk to a real daemon from the test thread.
#include <chrono>
#include <cstdint>
#include <string>

#include "core/asio.hpp"
#include "http/client.hpp"

namespace feedwatch::test {

// A port that was free a moment ago on 127.0.0.1 (for configs that need a fixed port).
inline std::uint16_t free_port()
{
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

// The body of a 200 answer to GET url, or empty on any failure (5 s timeout).
inline std::string http_get(const std::string& url)
{
    asio::io_context io;
    http::Client client(io);
    std::string body;
    // A named closure: a lambda coroutine refers to its closure object, which must outlive run().
    auto get = [&]() -> asio::awaitable<void> {
        http::Request request;
        request.url = url;
        request.timeout = std::chrono::seconds{5};
        request.private_networks = http::PrivateNetworks::allow;
        auto response = co_await client.perform(std::move(request));
        if (response && response->status == 200) {
            body = std::move(response->body);
        }
        client.stop();
    };
    asio::co_spawn(io, get(), asio::detached);
    io.run();
    return body;
}

}  // namespace feedwatch::test
