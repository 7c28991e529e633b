// Servers that misbehave on purpose: a huge declared body, a body dripped a byte at a time,
// redirect chains. Each must be cut off by the client, quickly.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "http/client.hpp"
#include "support/run_until_complete.hpp"
#include "support/scripted_origin.hpp"

namespace feedwatch::http {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;
using test::run_until_complete;

// Answers every request with `head`, then writes `body` one byte every `drip` (all at once
// when drip is zero), then holds the connection open.
class RawServer {
public:
    RawServer(asio::io_context& io, std::string head, std::string body, std::chrono::milliseconds drip)
        : m_io(io), m_acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}), m_head(std::move(head)),
          m_body(std::move(body)), m_drip(drip)
    {
        asio::co_spawn(io, accept(), asio::detached);
    }
    ~RawServer() { close(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_acceptor.local_endpoint().port()) + "/feed"; }
    std::size_t bytes_sent() const { return m_sent; }
    void close()
    {
        boost::system::error_code ignored;
        m_acceptor.close(ignored);
        for (auto& socket : m_sockets) {
            socket->close(ignored);
        }
    }

private:
    asio::awaitable<void> accept()
    {
        for (;;) {
            boost::system::error_code error;
            auto socket = std::make_shared<asio::ip::tcp::socket>(m_io);
            co_await m_acceptor.async_accept(*socket, asio::redirect_error(asio::use_awaitable, error));
            if (error) {
                co_return;
            }
            m_sockets.push_back(socket);
            asio::co_spawn(m_io, serve(socket), asio::detached);
        }
    }

    asio::awaitable<void> serve(std::shared_ptr<asio::ip::tcp::socket> socket)
    {
        boost::system::error_code error;
        asio::streambuf buffer;
        co_await asio::async_read_until(*socket, buffer, "\r\n\r\n", asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            co_return;
        }
        co_await asio::async_write(*socket, asio::buffer(m_head), asio::redirect_error(asio::use_awaitable, error));
        if (m_drip.count() == 0) {
            co_await asio::async_write(*socket, asio::buffer(m_body), asio::redirect_error(asio::use_awaitable, error));
            m_sent += m_body.size();
            co_return;
        }
        asio::steady_timer timer(m_io);
        for (std::size_t i = 0; i < m_body.size() && !error; ++i) {
            co_await asio::async_write(*socket, asio::buffer(&m_body[i], 1), asio::redirect_error(asio::use_awaitable, error));
            ++m_sent;
            timer.expires_after(m_drip);
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
        }
    }

    asio::io_context& m_io;
    asio::ip::tcp::acceptor m_acceptor;
    std::string m_head;
    std::string m_body;
    std::chrono::milliseconds m_drip;
    std::size_t m_sent = 0;
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> m_sockets;
};

class HostileServerTest : public ::testing::Test {
protected:
    core::Result<Response> perform(Request request)
    {
        request.private_networks = PrivateNetworks::allow;
        auto result = run_until_complete(m_io, m_client.perform(std::move(request)), 30s);
        m_client.stop();
        return result;
    }
    asio::io_context m_io;
    Client m_client{m_io};
};

TEST_F(HostileServerTest, DeclaredTwoGigabyteContentLengthIsRefusedBeforeTheBody)
{
    RawServer server(m_io, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 2147483648\r\n\r\n",
                     std::string(64, 'x'), 1s);
    Request request;
    request.url = server.url();
    request.max_body = 16u << 20;
    request.timeout = 20s;
    const auto started = std::chrono::steady_clock::now();
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::too_large) << result.error().detail;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "waited for the body instead of refusing the header";
}

TEST_F(HostileServerTest, ServerDrippingOneByteASecondIsCutOffByTheLowSpeedLimit)
{
    RawServer server(m_io, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", std::string(1000, 'x'), 1s);
    Request request;
    request.url = server.url();
    request.timeout = 25s;
    request.low_speed_time = 2s;
    const auto started = std::chrono::steady_clock::now();
    const auto result = perform(std::move(request));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::timeout) << result.error().detail;
    EXPECT_NE(result.error().detail.find("too slow"), std::string::npos) << result.error().detail;
    EXPECT_GE(elapsed, 1500ms);
    EXPECT_LT(elapsed, 10s) << "cut off by the total timeout, not the low-speed limit";
}

TEST_F(HostileServerTest, RedirectStatusesAreReportedInOrder)
{
    test::ScriptedOrigin origin(m_io);
    origin.script("/a", test::ScriptedResponse{301, {{"Location", origin.url("/b")}}, "", 0ms});
    origin.script("/b", test::ScriptedResponse{308, {{"Location", origin.url("/c")}}, "", 0ms});
    origin.script("/c", test::ScriptedResponse{200, {}, "feed", 0ms});
    Request request;
    request.url = origin.url("/a");
    const auto result = perform(std::move(request));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->redirect_statuses, (std::vector<long>{301, 308}));
    EXPECT_EQ(result->effective_url, origin.url("/c"));
}

TEST_F(HostileServerTest, RedirectLoopStopsAtFiveRedirects)
{
    test::ScriptedOrigin origin(m_io);
    origin.script("/loop", test::ScriptedResponse{301, {{"Location", origin.url("/loop")}}, "", 0ms});
    Request request;
    request.url = origin.url("/loop");  // default max_redirects: 5
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::blocked) << result.error().detail;
    EXPECT_EQ(origin.requests("/loop").size(), 6u);  // the first request and five redirects
}

TEST_F(HostileServerTest, RedirectToFileUrlIsRefusedWithoutReadingIt)
{
    test::ScriptedOrigin origin(m_io);
    origin.script("/to-file", test::ScriptedResponse{301, {{"Location", "file:///etc/hostname"}}, "", 0ms});
    Request request;
    request.url = origin.url("/to-file");
    const auto result = perform(std::move(request));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::blocked) << result.error().detail;
}

TEST(HttpDate, ParsesTheThreeFormsOfRfc9110)
{
    const auto expected = core::parse_rfc3339("1994-11-06T08:49:37Z");
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
    EXPECT_EQ(parse_http_date("soon"), std::nullopt);
}

}  // namespace
}  // namespace feedwatch::http
