#pragma once
// HTTP client on libcurl's multi-socket API, driven by one Asio io_context (no threads per
// transfer). The only curl code in the project. Hardened for untrusted URLs: http/https
// only, bounded redirects, decoded-size cap, timeouts, private addresses refused after DNS.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/asio.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace feedwatch::http {

enum class PrivateNetworks { refuse, allow };

struct Header {
    std::string name;  // as sent; response header names are lower-cased
    std::string value;
};

struct Request {
    std::string method = "GET";  // GET or POST
    std::string url;
    std::vector<Header> headers;
    std::string body;  // POST body
    std::chrono::milliseconds timeout{30000};  // whole transfer
    std::chrono::milliseconds connect_timeout{10000};
    std::uint64_t max_body = 16u << 20;  // decoded bytes; more is ErrorCode::too_large
    int max_redirects = 5;  // 0: redirects are returned as responses, not followed
    PrivateNetworks private_networks = PrivateNetworks::refuse;
    // A transfer slower than low_speed_limit bytes/s for low_speed_time fails with timeout
    // (a server dripping bytes to hold a connection). low_speed_time is capped at timeout.
    long low_speed_limit = 100;
    std::chrono::seconds low_speed_time{30};
};

struct Response {
    long status = 0;
    std::string effective_url;  // after redirects
    std::vector<Header> headers;  // of the final response, names lower-cased
    std::string body;  // decoded (gzip/deflate/br undone)
    std::chrono::microseconds elapsed{0};
    // Status of each redirect that was followed, in order (empty when none).
    std::vector<long> redirect_statuses;
    // First value of header name (lower-case), or empty.
    std::string header(std::string_view name) const;
};

// An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850, asctime) as an instant; nullopt when
// it does not parse.
std::optional<core::Instant> parse_http_date(std::string_view text);

struct ClientOptions {
    std::string user_agent;  // default "feedwatch/VERSION (+https://github.com/feedwatch/feedwatch)"
    long max_total_connections = 64;
    long max_host_connections = 2;
};

// Owned by one io_context; all member functions must be called on its thread. Destroy the
// Client before its io_context. perform() may outlive the Client: a transfer still in flight
// then completes with cancelled. curl_global_init runs once, on first construction.
// Fails with: network (DNS/connect/TLS/reset), timeout, too_large, blocked (scheme or
// private address; detail says which address), invalid_argument (bad URL), cancelled (stop).
// A complete exchange is a success whatever its status.
class Client {
public:
    Client(asio::io_context& io, ClientOptions options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    asio::awaitable<core::Result<Response>> perform(Request request);

    // Aborts transfers in flight (they complete with cancelled) and releases curl's sockets
    // so that io_context::run() can return. Idempotent.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace feedwatch::http
