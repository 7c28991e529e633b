// Streaming responses (Server-Sent Events and the like): the owner pushes bytes after the
// head, stop() ends open streams, and the number of open streams is bounded.
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "serve/server.hpp"
#include "support/run_until_complete.hpp"

namespace feedwatch::serve {
namespace {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A raw client: connects, sends one request, collects every byte until the server closes.
struct RawClient {
    explicit RawClient(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string received;
    bool closed = false;
    std::array<char, 4096> buffer{};

    void start(std::uint16_t port, std::string request)
    {
        socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        asio::write(socket, asio::buffer(request));
        read_more();
    }
    void read_more()
    {
        socket.async_read_some(asio::buffer(buffer), [this](boost::system::error_code error, std::size_t n) {
            received.append(buffer.data(), n);
            if (error) {
                closed = true;
                return;
            }
            read_more();
        });
    }
};

class StreamTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto listening = Server::listen(m_io, "127.0.0.1:0", [this](const Request& request) {
            if (request.target == "/events") {
                auto stream = std::make_shared<Stream>();
                m_streams.push_back(stream);
                request.respond_with_stream(stream);
                return Response{200, "text/event-stream", {Header{"x-test", "1"}}, "retry: 1000\n\n"};
            }
            return Response{200, "text/plain", {}, "plain\n"};
        });
        ASSERT_TRUE(listening) << listening.error().detail;
        m_server = std::move(*listening);
    }

    bool run_until(const std::function<bool()>& done) { return test::run_until(m_io, done, 5s); }

    asio::io_context m_io;
    std::unique_ptr<Server> m_server;
    std::vector<std::shared_ptr<Stream>> m_streams;
};

TEST_F(StreamTest, WritesHeadThenEachPushedEventUntilTheOwnerCloses)
{
    RawClient client(m_io);
    client.start(m_server->port(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(run_until([&] { return client.received.find("retry: 1000\n\n") != std::string::npos; }));
    EXPECT_TRUE(client.received.starts_with("HTTP/1.1 200 OK\r\n"));
    EXPECT_NE(client.received.find("Content-Type: text/event-stream\r\n"), std::string::npos);
    EXPECT_NE(client.received.find("x-test: 1\r\n"), std::string::npos);
    EXPECT_EQ(client.received.find("Content-Length"), std::string::npos);
    ASSERT_EQ(m_streams.size(), 1u);

    m_streams[0]->send("id: 1\ndata: one\n\n");
    ASSERT_TRUE(run_until([&] { return client.received.find("data: one") != std::string::npos; }));
    m_streams[0]->send("id: 2\ndata: two\n\n");
    m_streams[0]->close();
    ASSERT_TRUE(run_until([&] { return client.closed; }));
    EXPECT_NE(client.received.find("id: 2\ndata: two\n\n"), std::string::npos);
}

TEST_F(StreamTest, StopEndsOpenStreamsAndMarksThemClosed)
{
    RawClient client(m_io);
    client.start(m_server->port(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(run_until([&] { return m_streams.size() == 1 && !client.received.empty(); }));
    m_server->stop();
    ASSERT_TRUE(run_until([&] { return client.closed && m_streams[0]->closed(); }));
    m_streams[0]->send("late\n");  // dropped, no crash
}

TEST_F(StreamTest, AClientThatGoesAwayClosesItsStream)
{
    {
        RawClient client(m_io);
        client.start(m_server->port(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_TRUE(run_until([&] { return m_streams.size() == 1 && !client.received.empty(); }));
        client.socket.close();
        ASSERT_TRUE(run_until([&] { return client.closed; }));
    }
    // The next pushes fail to write (reset) and the stream closes.
    ASSERT_TRUE(run_until([&] {
        m_streams[0]->send(std::string(64 * 1024, 'x'));
        return m_streams[0]->closed();
    }));
}

TEST_F(StreamTest, RefusesStreamsBeyondTheLimitWith503)
{
    std::vector<std::unique_ptr<RawClient>> clients;
    for (std::size_t i = 0; i < Server::k_max_streams; ++i) {
        clients.push_back(std::make_unique<RawClient>(m_io));
        clients.back()->start(m_server->port(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    ASSERT_TRUE(run_until([&] {
        for (const auto& client : clients) {
            if (client->received.find("retry:") == std::string::npos) {
                return false;
            }
        }
        return true;
    }));
    RawClient extra(m_io);
    extra.start(m_server->port(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(run_until([&] { return extra.received.find("\r\n\r\n") != std::string::npos; }));
    EXPECT_TRUE(extra.received.starts_with("HTTP/1.1 503")) << extra.received;
    EXPECT_TRUE(m_streams.back()->closed());
    // Ordinary requests are still answered.
    RawClient plain(m_io);
    plain.start(m_server->port(), "GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(run_until([&] { return plain.closed; }));
    EXPECT_NE(plain.received.find("plain\n"), std::string::npos);
}

TEST(Stream, DisconnectsAClientThatFallsTooFarBehind)
{
    Stream stream;
    stream.send(std::string(Stream::k_max_pending, 'x'));
    EXPECT_FALSE(stream.closed());
    stream.send("one byte too many");
    EXPECT_TRUE(stream.closed());
}

}  // namespace
}  // namespace feedwatch::serve
