#pragma once
// A small HTTP/1.1 server on Beast for loopback-facing endpoints: the daemon's /metrics and
// /healthz, the demo's feed origin and webhook receiver, and the tests' helpers.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/result.hpp"

namespace feedwatch::serve {

struct Header {
    std::string name;  // lower-case in requests
    std::string value;
};

struct Request {
    std::string method;
    std::string target;  // path and query, as sent
    std::vector<Header> headers;
    std::string body;
    std::string header(std::string_view name) const;  // first value or empty; name lower-case
};

struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::vector<Header> headers;
    std::string body;
};

using Handler = std::function<Response(const Request&)>;

// Listens on "host:port" (port 0 picks a free port) and answers each request with handler,
// on the given io_context. Keep-alive supported; request bodies capped at 1 MiB;
// idle connections closed after 30 s.
class Server {
public:
    static core::Result<std::unique_ptr<Server>> listen(asio::io_context& io, const std::string& address,
                                                       Handler handler);
    ~Server();
    std::uint16_t port() const;
    // Closes the listener and open connections. Idempotent.
    void stop();

    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace feedwatch::serve
