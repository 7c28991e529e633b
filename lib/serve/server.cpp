#include "serve/server.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <exception>
#include <utility>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace feedwatch::serve {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using core::ErrorCode;
using tcp = asio::ip::tcp;

std::string Request::header(std::string_view name) const
{
    for (const auto& h : headers) {
        if (h.name == name) {
            return h.value;
        }
    }
    return {};
}

void Stream::send(std::string_view bytes)
{
    if (m_closed) {
        return;
    }
    if (m_pending.size() + bytes.size() > k_max_pending) {
        close();  // a client this far behind is not reading: drop it rather than buffer more
        return;
    }
    m_pending.append(bytes);
    if (m_wake) {
        m_wake();
    }
}

void Stream::close()
{
    if (m_closed) {
        return;
    }
    m_closed = true;
    if (m_wake) {
        m_wake();
    }
}

std::string Stream::take()
{
    return std::exchange(m_pending, std::string{});
}

void Stream::on_wake(std::function<void()> wake)
{
    m_wake = std::move(wake);
}

namespace {

constexpr std::chrono::seconds k_stream_keep_alive{15};
constexpr std::uint64_t k_body_limit = 1u << 20;
constexpr std::uint32_t k_header_limit = 16u << 10;
constexpr std::chrono::seconds k_idle_timeout{30};

std::string to_lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// "host:port", "[v6]:port"; host is an IP literal or "localhost".
core::Result<tcp::endpoint> parse_address(const std::string& address)
{
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) {
        return core::fail(ErrorCode::invalid_argument, "listen address '" + address + "' has no port (host:port)");
    }
    std::string host = address.substr(0, colon);
    const std::string port_text = address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return core::fail(ErrorCode::invalid_argument,
                          "listen address '" + address + "': write IPv6 hosts in brackets, [::1]:9464");
    }
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || error != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        return core::fail(ErrorCode::invalid_argument, "listen address '" + address + "': invalid port");
    }
    if (host == "localhost") {
        host = "127.0.0.1";
    }
    boost::system::error_code parse_error;
    const auto ip = asio::ip::make_address(host, parse_error);
    if (parse_error) {
        return core::fail(ErrorCode::invalid_argument,
                          "listen address '" + address + "': host must be an IP address or localhost");
    }
    return tcp::endpoint(ip, static_cast<std::uint16_t>(port));
}

struct Listener;

struct Connection {
    Connection(tcp::socket socket, std::shared_ptr<Listener> owner)
        : stream(std::move(socket)), listener(std::move(owner)), wake(stream.get_executor())
    {
    }
    beast::tcp_stream stream;
    std::shared_ptr<Listener> listener;
    asio::steady_timer wake;  // a streaming response sleeps on it between pushes

    void close()
    {
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.close();
        wake.cancel();
    }
};

struct Listener {
    Listener(asio::io_context& io, Handler h) : acceptor(io), handler(std::move(h)) {}

    tcp::acceptor acceptor;
    Handler handler;
    std::vector<std::weak_ptr<Connection>> connections;
    std::uint16_t port = 0;
    std::size_t open_streams = 0;
    bool stopped = false;

    void track(const std::shared_ptr<Connection>& connection)
    {
        std::erase_if(connections, [](const auto& weak) { return weak.expired(); });
        connections.push_back(connection);
    }

    void stop()
    {
        if (stopped) {
            return;
        }
        stopped = true;
        boost::system::error_code ignored;
        acceptor.close(ignored);
        for (const auto& weak : connections) {
            if (auto connection = weak.lock()) {
                connection->close();
            }
        }
        connections.clear();
    }
};

Request to_request(const bhttp::request<bhttp::string_body>& message)
{
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
        request.headers.push_back(Header{to_lower(std::string_view(field.name_string().data(), field.name_string().size())), std::string(field.value())});
    }
    request.body = message.body();
    return request;
}

Response call_handler(const Handler& handler, const Request& request)
{
    try {
        return handler(request);
    } catch (const std::exception& error) {
        return Response{500, "text/plain; charset=utf-8", {}, std::string("internal error: ") + error.what() + "\n"};
    }
}

bhttp::response<bhttp::string_body> to_message(Response response, unsigned version, bool keep_alive,
                                               bool head = false)
{
    bhttp::response<bhttp::string_body> message;
    message.version(version);
    message.result(static_cast<unsigned>(response.status));
    message.set(bhttp::field::server, "feedwatch/" FEEDWATCH_VERSION);
    if (!response.content_type.empty()) {
        message.set(bhttp::field::content_type, response.content_type);
    }
    for (const auto& header : response.headers) {
        message.insert(header.name, header.value);
    }
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive);
    message.prepare_payload();
    if (head) {
        message.body().clear();  // RFC 9110 §9.3.2: same headers, including Content-Length, no body
    }
    return message;
}

asio::awaitable<void> write_error(std::shared_ptr<Connection> connection, unsigned status, std::string text)
{
    auto message = to_message(Response{static_cast<int>(status), "text/plain; charset=utf-8", {}, std::move(text)}, 11,
                              false);
    boost::system::error_code ignored;
    auto token = asio::redirect_error(asio::use_awaitable, ignored);
    connection->stream.expires_after(k_idle_timeout);
    co_await bhttp::async_write(connection->stream, message, token);
}

std::string stream_head(const Response& response, unsigned version)
{
    std::string head = version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head += std::to_string(response.status) + " ";
    head += std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(response.status)));
    head += "\r\nServer: feedwatch/" FEEDWATCH_VERSION "\r\nContent-Type: " + response.content_type;
    head += "\r\nCache-Control: no-cache\r\nConnection: close\r\n";
    for (const auto& header : response.headers) {
        head += header.name + ": " + header.value + "\r\n";
    }
    return head + "\r\n";
}

// Writes the head, then whatever the owner pushes, until the owner closes the stream, the
// client goes away (a failed write; keep-alive comments make one happen) or the server stops.
asio::awaitable<void> serve_stream(std::shared_ptr<Connection> connection, std::shared_ptr<Stream> stream,
                                   Response response, unsigned version)
{
    Listener& listener = *connection->listener;
    ++listener.open_streams;
    std::weak_ptr<Connection> weak = connection;
    stream->on_wake([weak] {
        if (auto alive = weak.lock()) {
            alive->wake.cancel();
        }
    });
    std::string pending = stream_head(response, version) + response.body;
    boost::system::error_code error;
    for (;;) {
        pending += stream->take();
        if (!pending.empty()) {
            connection->stream.expires_after(k_idle_timeout);
            auto write_token = asio::redirect_error(asio::use_awaitable, error);
            co_await asio::async_write(connection->stream, asio::buffer(pending), write_token);
            pending.clear();
            if (error) {
                break;
            }
        }
        if (stream->closed() || listener.stopped) {
            break;
        }
        connection->wake.expires_after(k_stream_keep_alive);
        boost::system::error_code wait_error;
        auto wait_token = asio::redirect_error(asio::use_awaitable, wait_error);
        co_await connection->wake.async_wait(wait_token);
        if (listener.stopped) {
            break;
        }
        if (!wait_error) {
            pending += ": keep-alive\n\n";  // timer ran out: nothing pushed for a while
        }
    }
    stream->on_wake(nullptr);
    stream->close();
    --listener.open_streams;
}

asio::awaitable<void> serve_connection(std::shared_ptr<Connection> connection)
{
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(k_body_limit);
        parser.header_limit(k_header_limit);
        connection->stream.expires_after(k_idle_timeout);
        boost::system::error_code error;
        auto read_token = asio::redirect_error(asio::use_awaitable, error);
        co_await bhttp::async_read(connection->stream, buffer, parser, read_token);
        if (error == bhttp::error::body_limit) {
            co_await write_error(connection, 413, "request body larger than 1 MiB\n");
            break;
        }
        if (error == bhttp::error::header_limit) {
            co_await write_error(connection, 431, "request header too large\n");
            break;
        }
        if (error && error.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
            error != bhttp::error::end_of_stream && error != bhttp::error::partial_message) {
            co_await write_error(connection, 400, "bad request\n");
            break;
        }
        if (error) {
            break;  // closed, reset, idle timeout, stopped
        }
        const auto& message = parser.get();
        const bool keep_alive = message.keep_alive();
        const Request request = to_request(message);
        if (connection->listener->stopped) {
            break;
        }
        Response answer = call_handler(connection->listener->handler, request);
        if (std::shared_ptr<Stream> stream = request.stream()) {
            if (connection->listener->open_streams >= Server::k_max_streams) {
                stream->close();
                answer = Response{503, "text/plain; charset=utf-8", {Header{"retry-after", "30"}},
                                  "too many open streams; retry later\n"};
            } else {
                co_await serve_stream(connection, std::move(stream), std::move(answer), message.version());
                break;
            }
        }
        auto reply = to_message(std::move(answer), message.version(), keep_alive, message.method() == bhttp::verb::head);
        connection->stream.expires_after(k_idle_timeout);
        auto write_token = asio::redirect_error(asio::use_awaitable, error);
        co_await bhttp::async_write(connection->stream, reply, write_token);
        if (error || !keep_alive) {
            break;
        }
    }
    boost::system::error_code ignored;
    connection->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    connection->stream.close();
}

asio::awaitable<void> accept_loop(std::shared_ptr<Listener> listener)
{
    for (;;) {
        boost::system::error_code error;
        auto token = asio::redirect_error(asio::use_awaitable, error);
        tcp::socket socket = co_await listener->acceptor.async_accept(token);
        if (listener->stopped || error == asio::error::operation_aborted) {
            co_return;
        }
        if (error) {
            // EMFILE and friends: back off briefly instead of spinning.
            asio::steady_timer pause(listener->acceptor.get_executor(), std::chrono::milliseconds(100));
            boost::system::error_code ignored;
            auto pause_token = asio::redirect_error(asio::use_awaitable, ignored);
            co_await pause.async_wait(pause_token);
            if (listener->stopped) {
                co_return;
            }
            continue;
        }
        auto connection = std::make_shared<Connection>(std::move(socket), listener);
        listener->track(connection);
        asio::co_spawn(listener->acceptor.get_executor(), serve_connection(connection), asio::detached);
    }
}

}  // namespace

struct Server::Impl {
    std::shared_ptr<Listener> listener;
};

Server::Server(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Server::~Server()
{
    stop();
}

std::uint16_t Server::port() const
{
    return m_impl->listener->port;
}

void Server::stop()
{
    m_impl->listener->stop();
}

core::Result<std::unique_ptr<Server>> Server::listen(asio::io_context& io, const std::string& address, Handler handler)
{
    auto endpoint = parse_address(address);
    if (!endpoint) {
        return tl::unexpected(std::move(endpoint.error()));
    }
    auto listener = std::make_shared<Listener>(io, std::move(handler));
    boost::system::error_code error;
    auto& acceptor = listener->acceptor;
    acceptor.open(endpoint->protocol(), error);
    if (!error) {
        acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    }
    if (!error) {
        acceptor.bind(*endpoint, error);
    }
    if (!error) {
        acceptor.listen(asio::socket_base::max_listen_connections, error);
    }
    if (!error) {
        listener->port = acceptor.local_endpoint(error).port();
    }
    if (error) {
        return core::fail(ErrorCode::io, "cannot listen on " + address + ": " + error.message());
    }
    asio::co_spawn(io, accept_loop(listener), asio::detached);
    auto impl = std::make_unique<Impl>();
    impl->listener = std::move(listener);
    return std::make_unique<Server>(std::move(impl));
}

}  // namespace feedwatch::serve
