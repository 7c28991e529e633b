#include "http/client.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "serve/server.hpp"
#include "support/run_until_complete.hpp"

namespace feedwatch::http {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;
using test::run_until;
using test::run_until_complete;

std::string gzip(const std::string& data)
{
    z_stream stream{};
    EXPECT_EQ(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

serve::Response redirect(int status, std::string location)
{
    serve::Response response;
    response.status = status;
    response.headers.push_back({"Location", std::move(location)});
    response.body = "moved\n";
    return response;
}

// Accepts connections and never answers.
class SilentServer {
public:
    explicit SilentServer(asio::io_context& io) : m_acceptor(io, {asio::ip::make_address("127.0.0.1"), 0})
    {
        accept();
    }
    std::uint16_t port() const { return m_acceptor.local_endpoint().port(); }
    std::size_t accepted() const { return m_sockets.size(); }
    void close()
    {
        boost::system::error_code ignored;
        m_acceptor.close(ignored);
        for (auto& socket : m_sockets) {
            socket.close(ignored);
        }
    }

private:
    void accept()
    {
        m_acceptor.async_accept([this](boost::system::error_code error, asio::ip::tcp::socket socket) {
            if (error) {
                return;
            }
            m_sockets.push_back(std::move(socket));
            accept();
        });
    }
    asio::ip::tcp::acceptor m_acceptor;
    std::vector<asio::ip::tcp::socket> m_sockets;
};

// Answers every request with "ok" and counts the TCP connections it accepted.
class CountingOrigin {
public:
    explicit CountingOrigin(asio::io_context& io) : m_acceptor(io, {asio::ip::make_address("127.0.0.1"), 0})
    {
        accept();
    }
    std::uint16_t port() const { return m_acceptor.local_endpoint().port(); }
    int connections() const { return m_connections; }
    int requests() const { return m_requests; }
    void close()
    {
        boost::system::error_code ignored;
        m_acceptor.close(ignored);
        for (auto& weak : m_open) {
            if (auto connection = weak.lock()) {
                connection->socket.close(ignored);
            }
        }
    }

private:
    struct Connection {
        explicit Connection(asio::ip::tcp::socket s) : socket(std::move(s)) {}
        asio::ip::tcp::socket socket;
        asio::streambuf buffer;
        const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    };

    void accept()
    {
        m_acceptor.async_accept([this](boost::system::error_code error, asio::ip::tcp::socket socket) {
            if (error) {
                return;
            }
            ++m_connections;
            auto connection = std::make_shared<Connection>(std::move(socket));
            m_open.push_back(connection);
            serve(connection);
            accept();
        });
    }

    void serve(std::shared_ptr<Connection> connection)
    {
        asio::async_read_until(connection->socket, connection->buffer, "\r\n\r\n",
                               [this, connection](boost::system::error_code error, std::size_t length) {
                                   if (error) {
                                       return;
                                   }
                                   connection->buffer.consume(length);  // GET: no body
                                   ++m_requests;
                                   asio::async_write(connection->socket, asio::buffer(connection->reply),
                                                     [this, connection](boost::system::error_code write_error, std::size_t) {
                                                         if (!write_error) {
                                                             serve(connection);
                                                         }
                                                     });
                               });
    }

    asio::ip::tcp::acceptor m_acceptor;
    std::vector<std::weak_ptr<Connection>> m_open;
    int m_connections = 0;
    int m_requests = 0;
};

class ClientTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto listening = serve::Server::listen(m_io, "127.0.0.1:0", [this](const serve::Request& r) { return route(r); });
        ASSERT_TRUE(listening) << listening.error().detail;
        m_server = std::move(*listening);
        m_client = std::make_unique<Client>(m_io);
    }

    void TearDown() override
    {
        m_client->stop();
        m_server->stop();
    }

    serve::Response route(const serve::Request& request)
    {
        m_seen.push_back(request);
        const std::string& target = request.target;
        serve::Response response;
        if (target == "/hello") {
            response.body = "hello world";
            response.headers.push_back({"X-Custom-Header", "Yes"});
        } else if (target == "/missing") {
            response.status = 404;
            response.body = "no such feed";
        } else if (target == "/echo") {
            response.body = request.method + " " + request.body;
        } else if (target == "/conditional") {
            if (request.header("if-none-match") == "\"v1\"") {
                response.status = 304;
            } else {
                response.headers.push_back({"ETag", "\"v1\""});
                response.body = "fresh";
            }
        } else if (target.rfind("/chain/", 0) == 0) {
            const int remaining = std::stoi(target.substr(7));
            if (remaining > 0) {
                return redirect(301, "/chain/" + std::to_string(remaining - 1));
            }
            response.body = "end of chain";
        } else if (target == "/loop") {
            return redirect(302, "/loop");
        } else if (target == "/to-file") {
            return redirect(302, "file:///etc/passwd");
        } else if (target == "/gzip") {
            response.headers.push_back({"Content-Encoding", "gzip"});
            response.body = gzip("small and compressed");
        } else if (target == "/gzip-bomb") {
            response.headers.push_back({"Content-Encoding", "gzip"});
            response.body = gzip(std::string(4u << 20, 'a'));
        } else if (target == "/large") {
            response.body = std::string(2u << 20, 'x');
        } else {
            response.status = 404;
        }
        return response;
    }

    std::string url(const std::string& path) const
    {
        return "http://127.0.0.1:" + std::to_string(m_server->port()) + path;
    }

    Request local(const std::string& path) const
    {
        Request request;
        request.url = url(path);
        request.private_networks = PrivateNetworks::allow;
        return request;
    }

    core::Result<Response> perform(Request request)
    {
        return run_until_complete(m_io, m_client->perform(std::move(request)), 20s);
    }

    asio::io_context m_io;
    std::unique_ptr<serve::Server> m_server;
    std::unique_ptr<Client> m_client;
    std::vector<serve::Request> m_seen;
};

TEST_F(ClientTest, GetReturnsBodyAndStatus)
{
    const auto result = perform(local("/hello"));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "hello world");
    EXPECT_EQ(result->effective_url, url("/hello"));
    EXPECT_GT(result->elapsed.count(), 0);
    ASSERT_EQ(m_seen.size(), 1u);
    EXPECT_EQ(m_seen[0].method, "GET");
    EXPECT_EQ(m_seen[0].header("user-agent"), "feedwatch/" FEEDWATCH_VERSION " (+https://github.com/feedwatch/feedwatch)");
}

TEST_F(ClientTest, NotFoundIsASuccessWithStatus404)
{
    const auto result = perform(local("/missing"));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->status, 404);
    EXPECT_EQ(result->body, "no such feed");
}

TEST_F(ClientTest, PostSendsBodyAndHeaders)
{
    auto request = local("/echo");
    request.method = "POST";
    request.body = R"({"article":"x"})";
    request.headers.push_back({"Content-Type", "application/json"});
    request.headers.push_back({"X-Feedwatch-Signature", "sha256=abc"});
    const auto result = perform(std::move(request));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->body, R"(POST {"article":"x"})");
    ASSERT_EQ(m_seen.size(), 1u);
    EXPECT_EQ(m_seen[0].header("content-type"), "application/json");
    EXPECT_EQ(m_seen[0].header("x-feedwatch-signature"), "sha256=abc");
    EXPECT_EQ(m_seen[0].header("expect"), "");
}

TEST_F(ClientTest, SendsIfNoneMatchAndReturns304)
{
    auto first = perform(local("/conditional"));
    ASSERT_TRUE(first) << first.error().detail;
    EXPECT_EQ(first->status, 200);
    const std::string etag = first->header("etag");
    EXPECT_EQ(etag, "\"v1\"");

    auto request = local("/conditional");
    request.headers.push_back({"If-None-Match", etag});
    const auto second = perform(std::move(request));
    ASSERT_TRUE(second) << second.error().detail;
    EXPECT_EQ(second->status, 304);
    EXPECT_EQ(m_seen.back().header("if-none-match"), "\"v1\"");
}

TEST_F(ClientTest, ResponseHeaderNamesAreLowerCased)
{
    const auto result = perform(local("/hello"));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->header("x-custom-header"), "Yes");
    EXPECT_EQ(result->header("X-Custom-Header"), "");
    for (const auto& header : result->headers) {
        for (char c : header.name) {
            EXPECT_FALSE(c >= 'A' && c <= 'Z') << header.name;
        }
    }
}

TEST_F(ClientTest, FollowsRedirectsUpToTheLimit)
{
    auto request = local("/chain/3");
    request.max_redirects = 3;
    const auto result = perform(std::move(request));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "end of chain");
    EXPECT_EQ(result->effective_url, url("/chain/0"));
    EXPECT_EQ(result->header("location"), "") << "headers are those of the final response";
    EXPECT_EQ(m_seen.size(), 4u);
}

TEST_F(ClientTest, RedirectLoopFailsWithTooManyRedirects)
{
    auto request = local("/loop");
    request.max_redirects = 4;
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::blocked);
    EXPECT_NE(result.error().detail.find("too many redirects"), std::string::npos) << result.error().detail;
    EXPECT_EQ(m_seen.size(), 5u);
}

TEST_F(ClientTest, MaxRedirectsZeroReturnsTheRedirectItself)
{
    auto request = local("/chain/1");
    request.max_redirects = 0;
    const auto result = perform(std::move(request));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->status, 301);
    EXPECT_EQ(result->header("location"), "/chain/0");
    EXPECT_EQ(m_seen.size(), 1u);
}

TEST_F(ClientTest, DecodesGzipBodies)
{
    const auto result = perform(local("/gzip"));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->body, "small and compressed");
    EXPECT_EQ(m_seen[0].header("accept-encoding").find("gzip") != std::string::npos, true);
}

TEST_F(ClientTest, GzipBodyInflatingPastMaxBodyIsTooLarge)
{
    auto request = local("/gzip-bomb");
    request.max_body = 1u << 20;  // the compressed body is a few KiB, decoded 4 MiB
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::too_large) << result.error().detail;
}

TEST_F(ClientTest, DeclaredContentLengthOverMaxBodyIsTooLarge)
{
    auto request = local("/large");
    request.max_body = 1u << 20;
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::too_large) << result.error().detail;
}

TEST_F(ClientTest, PrivateAddressIsRefusedByDefault)
{
    Request request;
    request.url = url("/hello");
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::blocked);
    EXPECT_NE(result.error().detail.find("127.0.0.1"), std::string::npos) << result.error().detail;
    EXPECT_TRUE(m_seen.empty());
}

TEST_F(ClientTest, LocalhostNameIsRefusedAfterResolution)
{
    Request request;
    request.url = "http://localhost:" + std::to_string(m_server->port()) + "/hello";
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::blocked) << result.error().detail;
    EXPECT_NE(result.error().detail.find("refused private address"), std::string::npos) << result.error().detail;
}

TEST_F(ClientTest, PrivateAddressIsAllowedWhenConfigured)
{
    const auto result = perform(local("/hello"));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->status, 200);
}

TEST_F(ClientTest, FileUrlIsRefused)
{
    Request request;
    request.url = "file:///etc/passwd";
    request.private_networks = PrivateNetworks::allow;
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::blocked) << result.error().detail;
}

TEST_F(ClientTest, RedirectToFileUrlIsRefused)
{
    const auto result = perform(local("/to-file"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::blocked) << result.error().detail;
}

TEST_F(ClientTest, MalformedUrlIsInvalidArgument)
{
    Request request;
    request.url = "not a url";
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::invalid_argument) << result.error().detail;
}

TEST_F(ClientTest, HeaderWithLineBreakIsInvalidArgument)
{
    auto request = local("/hello");
    request.headers.push_back({"X-Injected", "a\r\nHost: evil"});
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
    EXPECT_TRUE(m_seen.empty());
}

TEST_F(ClientTest, ServerThatNeverAnswersTimesOut)
{
    SilentServer silent(m_io);
    Request request;
    request.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/feed";
    request.private_networks = PrivateNetworks::allow;
    request.timeout = 500ms;
    const auto started = std::chrono::steady_clock::now();
    const auto result = perform(std::move(request));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    silent.close();
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::timeout) << result.error().detail;
    EXPECT_GE(elapsed, 450ms);
    EXPECT_LT(elapsed, 5s);
}

TEST_F(ClientTest, TwentyConcurrentPerformsComplete)
{
    constexpr int k_count = 20;
    std::vector<core::Result<Response>> results;
    for (int i = 0; i < k_count; ++i) {
        auto request = local("/hello");
        asio::co_spawn(m_io, m_client->perform(std::move(request)),
                       [&results](std::exception_ptr error, core::Result<Response> result) {
                           ASSERT_FALSE(error);
                           results.push_back(std::move(result));
                       });
    }
    ASSERT_TRUE(run_until(m_io, [&] { return results.size() == k_count; }, 30s));
    for (const auto& result : results) {
        ASSERT_TRUE(result) << result.error().detail;
        EXPECT_EQ(result->status, 200);
        EXPECT_EQ(result->body, "hello world");
    }
    EXPECT_EQ(m_seen.size(), static_cast<std::size_t>(k_count));
}

TEST_F(ClientTest, SequentialPerformsReuseOneConnection)
{
    CountingOrigin origin(m_io);
    for (int i = 0; i < 3; ++i) {
        Request request;
        request.url = "http://127.0.0.1:" + std::to_string(origin.port()) + "/feed/" + std::to_string(i);
        request.private_networks = PrivateNetworks::allow;
        const auto result = perform(std::move(request));
        ASSERT_TRUE(result) << result.error().detail;
        EXPECT_EQ(result->body, "ok");
    }
    EXPECT_EQ(origin.requests(), 3);
    EXPECT_EQ(origin.connections(), 1);
    m_client->stop();
    origin.close();
}

TEST_F(ClientTest, StopCancelsTransferInFlightAndRunReturns)
{
    SilentServer silent(m_io);
    Request request;
    request.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/feed";
    request.private_networks = PrivateNetworks::allow;
    std::optional<core::Result<Response>> outcome;
    asio::co_spawn(m_io, m_client->perform(std::move(request)),
                   [&outcome](std::exception_ptr, core::Result<Response> result) { outcome = std::move(result); });
    // An idle keep-alive connection as well, which curl keeps registered.
    auto warm = perform(local("/hello"));
    ASSERT_TRUE(warm) << warm.error().detail;
    ASSERT_TRUE(run_until(m_io, [&] { return silent.accepted() == 1; }, 5s));

    m_client->stop();
    m_client->stop();  // idempotent
    silent.close();
    m_server->stop();
    const auto started = std::chrono::steady_clock::now();
    m_io.run_for(10s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "run() did not return after stop()";
    ASSERT_TRUE(outcome.has_value());
    ASSERT_FALSE(*outcome);
    EXPECT_EQ(outcome->error().code, ErrorCode::cancelled);
}

TEST_F(ClientTest, PerformAfterStopIsCancelled)
{
    m_client->stop();
    const auto result = perform(local("/hello"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::cancelled);
}

TEST(ClientLifetime, DestroyingClientWithIdleConnectionsLetsRunReturn)
{
    asio::io_context io;
    auto listening = serve::Server::listen(io, "127.0.0.1:0", [](const serve::Request&) { return serve::Response{}; });
    ASSERT_TRUE(listening);
    auto server = std::move(*listening);
    auto client = std::make_unique<Client>(io);
    Request request;
    request.url = "http://127.0.0.1:" + std::to_string(server->port()) + "/";
    request.private_networks = PrivateNetworks::allow;
    const auto result = run_until_complete(io, client->perform(std::move(request)));
    ASSERT_TRUE(result) << result.error().detail;
    client.reset();
    server->stop();
    const auto started = std::chrono::steady_clock::now();
    io.run_for(10s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

}  // namespace
}  // namespace feedwatch::http
