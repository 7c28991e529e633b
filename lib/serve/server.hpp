#pragma once
// A small HTTP/1.1 server on Beast for loopback-facing endpoints: the daemon's /metrics and
// /healthz, the demo's feed origin and webhook receiver, and the tests' helpers.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/result.hpp"

namespace feedwatch::serve {

struct Header {
    std::string name;  // lower-case in requests
    std::string value;
};

class Stream;

struct Request {
    std::string method;
    std::string target;  // path and query, as sent
    std::vector<Header> headers;
    std::string body;
    std::string header(std::string_view name) const;  // first value or empty; name lower-case

    // A handler that wants a streaming response calls this and returns the head: status,
    // content type, headers and a first chunk of body (no Content-Length is sent; the body
    // ends when the stream closes). The server then writes what the owner pushes.
    void respond_with_stream(std::shared_ptr<Stream> stream) const { m_stream = std::move(stream); }
    const std::shared_ptr<Stream>& stream() const { return m_stream; }

private:
    mutable std::shared_ptr<Stream> m_stream;
};

// A response body that stays open after its headers: the owner keeps the shared_ptr and pushes
// bytes (Server-Sent Events, WHATWG HTML §9.2) while the server writes them out. The body is
// delimited by closing the connection (no Content-Length). All calls on the io_context thread.
class Stream {
public:
    // Queues bytes; dropped when the stream is closed. A client that falls more than
    // k_max_pending bytes behind is disconnected (the stream closes) instead of growing memory.
    static constexpr std::size_t k_max_pending = 1u << 20;
    void send(std::string_view bytes);
    // Ends the response; the server closes the connection after writing what is queued.
    void close();
    // True once the owner or the server (client gone, server stopped) closed it.
    bool closed() const { return m_closed; }

    // Server side: takes the queued bytes; registers the function that wakes the writer.
    std::string take();
    void on_wake(std::function<void()> wake);

private:
    std::string m_pending;
    bool m_closed = false;
    std::function<void()> m_wake;
};

struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::vector<Header> headers;
    std::string body;  // with a stream (Request::respond_with_stream): written right after the headers
};

using Handler = std::function<Response(const Request&)>;

// Listens on "host:port" (port 0 picks a free port) and answers each request with handler,
// on the given io_context. Keep-alive supported; request bodies capped at 1 MiB;
// idle connections closed after 30 s. At most k_max_streams streaming responses are open at
// once; past that a streaming response is replaced by 503. Open streams get a comment line
// (": keep-alive") every 15 s so that a vanished client is noticed.
class Server {
public:
    static constexpr std::size_t k_max_streams = 64;
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
