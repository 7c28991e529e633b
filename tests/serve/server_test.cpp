#include "serve/server.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "support/run_until_complete.hpp"

namespace feedwatch::serve {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
using test::run_until_complete;

struct Reply {
    unsigned status = 0;
    std::string body;
    std::string content_type;
    std::string custom;
    bool keep_alive = false;
};

// A unique_ptr: Boost 1.74's co_spawn needs a default-constructible result.
asio::awaitable<std::unique_ptr<tcp::socket>> connect_to(std::uint16_t port)
{
    auto socket = std::make_unique<tcp::socket>(co_await asio::this_coro::executor);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    co_await socket->async_connect(endpoint, asio::use_awaitable);
    co_return socket;
}

asio::awaitable<Reply> read_reply(tcp::socket& socket, beast::flat_buffer& buffer, bool head)
{
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);  // a reply to HEAD has Content-Length but no body
    co_await bhttp::async_read(socket, buffer, parser, asio::use_awaitable);
    const auto& response = parser.get();
    Reply reply;
    reply.status = response.result_int();
    reply.body = response.body();
    reply.content_type = std::string(response[bhttp::field::content_type]);
    reply.custom = std::string(response["X-Custom"]);
    reply.keep_alive = response.keep_alive();
    co_return reply;
}

// Sends each raw request on one connection and reads one reply per request.
asio::awaitable<std::vector<Reply>> exchange(std::uint16_t port, std::vector<std::string> requests)
{
    std::unique_ptr<tcp::socket> connected = co_await connect_to(port);
    tcp::socket& socket = *connected;
    beast::flat_buffer buffer;
    std::vector<Reply> replies;
    for (const auto& text : requests) {
        co_await asio::async_write(socket, asio::buffer(text), asio::use_awaitable);
        const bool head = text.rfind("HEAD ", 0) == 0;
        Reply reply = co_await read_reply(socket, buffer, head);
        replies.push_back(std::move(reply));
    }
    co_return replies;
}

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto listening = Server::listen(m_io, "127.0.0.1:0", [this](const Request& request) {
            m_seen.push_back(request);
            if (request.target == "/throw") {
                throw std::runtime_error("handler bug");
            }
            Response response;
            response.status = request.target == "/missing" ? 404 : 200;
            response.content_type = "application/json";
            response.headers.push_back({"X-Custom", "yes"});
            response.body = request.method + " " + request.target + " " + request.body;
            return response;
        });
        ASSERT_TRUE(listening) << listening.error().detail;
        m_server = std::move(*listening);
    }

    void TearDown() override { m_server->stop(); }

    asio::io_context m_io;
    std::unique_ptr<Server> m_server;
    std::vector<Request> m_seen;
};

TEST_F(ServerTest, AnswersWithHandlerStatusContentTypeHeadersAndBody)
{
    const auto replies = run_until_complete(
        m_io, exchange(m_server->port(), {"POST /feed?x=1 HTTP/1.1\r\nHost: a\r\nX-Token: T\r\nContent-Length: 4\r\n\r\nbody"}));
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].status, 200u);
    EXPECT_EQ(replies[0].content_type, "application/json");
    EXPECT_EQ(replies[0].custom, "yes");
    EXPECT_EQ(replies[0].body, "POST /feed?x=1 body");
    ASSERT_EQ(m_seen.size(), 1u);
    EXPECT_EQ(m_seen[0].header("x-token"), "T") << "request header names are lower-cased";
    EXPECT_EQ(m_seen[0].body, "body");
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection)
{
    const auto replies = run_until_complete(m_io, exchange(m_server->port(), {"GET /one HTTP/1.1\r\nHost: a\r\n\r\n",
                                                                              "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n"}));
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0].status, 200u);
    EXPECT_TRUE(replies[0].keep_alive);
    EXPECT_EQ(replies[1].status, 404u);
    EXPECT_EQ(m_seen.size(), 2u);
}

TEST_F(ServerTest, HeadGetsContentLengthWithoutBody)
{
    // The second request proves the HEAD reply carried no body: it would be read as its status line.
    const auto replies = run_until_complete(m_io, exchange(m_server->port(), {"HEAD /one HTTP/1.1\r\nHost: a\r\n\r\n",
                                                                              "GET /two HTTP/1.1\r\nHost: a\r\n\r\n"}));
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0].status, 200u);
    EXPECT_EQ(replies[0].body, "");
    EXPECT_EQ(replies[1].status, 200u);
    EXPECT_EQ(replies[1].body, "GET /two ");
}

TEST_F(ServerTest, BodyOverOneMebibyteIsRejectedWith413)
{
    const std::string request = "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(2u << 20) +
                                "\r\n\r\n" + std::string(64 << 10, 'x');
    const auto replies = run_until_complete(m_io, exchange(m_server->port(), {request}));
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].status, 413u);
    EXPECT_FALSE(replies[0].keep_alive);
    EXPECT_TRUE(m_seen.empty());
}

TEST_F(ServerTest, MalformedRequestIsRejectedWith400)
{
    const auto replies = run_until_complete(m_io, exchange(m_server->port(), {"NOT HTTP AT ALL\r\n\r\n"}));
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].status, 400u);
    EXPECT_TRUE(m_seen.empty());
}

TEST_F(ServerTest, HandlerExceptionBecomes500)
{
    const auto replies = run_until_complete(m_io, exchange(m_server->port(), {"GET /throw HTTP/1.1\r\nHost: a\r\n\r\n"}));
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].status, 500u);
}

TEST_F(ServerTest, StopMakesRunReturnWithIdleClientConnected)
{
    // One complete exchange, then the client keeps its keep-alive connection open and idle.
    auto idle = run_until_complete(m_io, connect_to(m_server->port()));
    auto replies = run_until_complete(m_io, exchange(m_server->port(), {"GET /one HTTP/1.1\r\nHost: a\r\n\r\n"}));
    ASSERT_EQ(replies.size(), 1u);
    m_server->stop();
    m_server->stop();  // idempotent
    const auto started = std::chrono::steady_clock::now();
    m_io.run_for(10s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "run() did not return after stop()";
}

TEST_F(ServerTest, ListenOnUsedPortFailsNamingTheAddress)
{
    const std::string address = "127.0.0.1:" + std::to_string(m_server->port());
    const auto second = Server::listen(m_io, address, [](const Request&) { return Response{}; });
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, core::ErrorCode::io);
    EXPECT_NE(second.error().detail.find(address), std::string::npos) << second.error().detail;
}

TEST(ServerListen, BadAddressesAreInvalidArguments)
{
    asio::io_context io;
    for (const char* address : {"127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "example.com:80", "::1:80", ""}) {
        const auto result = Server::listen(io, address, [](const Request&) { return Response{}; });
        ASSERT_FALSE(result) << address;
        EXPECT_EQ(result.error().code, core::ErrorCode::invalid_argument) << address;
        EXPECT_NE(result.error().detail.find(address), std::string::npos) << result.error().detail;
    }
}

TEST(ServerListen, AcceptsBracketedIpv6AndReportsPort)
{
    asio::io_context io;
    auto result = Server::listen(io, "[::1]:0", [](const Request&) { return Response{}; });
    if (!result) {
        GTEST_SKIP() << "no IPv6 loopback here: " << result.error().detail;
    }
    EXPECT_NE((*result)->port(), 0);
    (*result)->stop();
}

}  // namespace
}  // namespace feedwatch::serve
