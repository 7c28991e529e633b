#include "deliver/deliverer.hpp"

#include <cstdlib>
#include <map>

#include <gtest/gtest.h>

#include "deliver/payload.hpp"
#include "deliver/signature.hpp"
#include "model/ids.hpp"
#include "serve/server.hpp"

namespace feedwatch::deliver {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* k_second_secret = "whsec_c2Vjb25kLXNlY3JldA==";

class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "feedwatch-deliver-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

// Runs handlers until done() or timeout; true when done.
bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::steady_clock::duration timeout = 10s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        if (io.stopped()) {
            io.restart();
        }
        io.run_one_until(std::min(deadline, std::chrono::steady_clock::now() + 20ms));
    }
    return done();
}

struct Observed {
    std::string webhook;
    DeliveryOutcome outcome;
    std::chrono::duration<double> latency;
};

// A real store, a real HTTP client and a real receiver on 127.0.0.1:0 answering with
// m_response, recording every request.
class DelivererTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto opened = store::Store::open(m_dir.path() / "db");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
        auto server = serve::Server::listen(m_io, "127.0.0.1:0", [this](const serve::Request& request) {
            m_received.push_back(request);
            return m_response;
        });
        ASSERT_TRUE(server) << server.error().detail;
        m_server = std::move(*server);
    }

    void TearDown() override
    {
        if (m_deliverer) {
            m_deliverer->stop();
        }
        m_client.stop();
        if (m_server) {
            m_server->stop();
        }
        m_io.run_for(200ms);
        m_deliverer.reset();
    }

    std::string receiver_url() const { return "http://127.0.0.1:" + std::to_string(m_server->port()) + "/hook"; }

    WebhookTarget target(std::string url, std::vector<std::string> secrets = {k_secret}) const
    {
        WebhookTarget webhook;
        webhook.name = "ops";
        webhook.url = std::move(url);
        webhook.secrets = std::move(secrets);
        webhook.timeout = 2s;
        return webhook;
    }

    // Queues one alert for webhook "ops", due now; returns its entry.
    model::OutboxEntry queue_alert(const std::string& item_id = "item-1")
    {
        model::Article article;
        article.feed = {"https://example.com/feed", "Example"};
        article.item.id = item_id;
        article.item.title = "Huawei";
        article.id = model::article_id(article.feed.url, item_id);
        article.first_seen = core::now();
        model::OutboxEntry entry;
        entry.webhook = "ops";
        entry.watchlist = "china-cyber";
        entry.article_id = article.id;
        entry.webhook_id = model::webhook_id(entry.watchlist, entry.webhook, article.id);
        entry.body = render_json_payload(entry.watchlist, article, {{"huawei", "title", "Huawei"}}, core::now());
        entry.created = core::now();
        entry.next_attempt = entry.created;
        store::PollCommit commit;
        commit.feed_url = article.feed.url;
        commit.articles.push_back(article);
        commit.outbox.push_back(entry);
        EXPECT_TRUE(m_store->commit(commit));
        return entry;
    }

    void start(std::vector<WebhookTarget> targets)
    {
        m_deliverer = std::make_unique<Deliverer>(
            m_io, *m_store, m_client, std::move(targets),
            [this](const std::string& webhook, DeliveryOutcome outcome, std::chrono::duration<double> latency) {
                m_observed.push_back(Observed{webhook, outcome, latency});
            });
        m_deliverer->start();
    }

    store::QueuedAlert only_row() const
    {
        auto rows = m_store->outbox_all();
        EXPECT_TRUE(rows);
        EXPECT_EQ(rows->size(), 1u);
        return rows->empty() ? store::QueuedAlert{} : rows->front();
    }

    TempDir m_dir;
    asio::io_context m_io;
    std::unique_ptr<store::Store> m_store;
    http::Client m_client{m_io};
    std::unique_ptr<serve::Server> m_server;
    serve::Response m_response;
    std::vector<serve::Request> m_received;
    std::vector<Observed> m_observed;
    std::unique_ptr<Deliverer> m_deliverer;
};

TEST_F(DelivererTest, DeliversQueuedAlertSignedAndRemovesIt)
{
    const model::OutboxEntry entry = queue_alert();
    m_response.status = 204;
    start({target(receiver_url())});
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));

    ASSERT_EQ(m_received.size(), 1u);
    const serve::Request& request = m_received.front();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/hook");
    EXPECT_EQ(request.body, entry.body);
    EXPECT_EQ(request.header("content-type"), "application/json");
    EXPECT_EQ(request.header("webhook-id"), entry.webhook_id);
    EXPECT_NE(request.header("user-agent").find("feedwatch/"), std::string::npos);
    const std::string timestamp = request.header("webhook-timestamp");
    ASSERT_FALSE(timestamp.empty());
    const std::int64_t sent_at = std::stoll(timestamp);
    EXPECT_NEAR(static_cast<double>(sent_at), static_cast<double>(core::now().time_since_epoch().count()), 5.0);
    const std::string signature = request.header("webhook-signature");
    EXPECT_EQ(signature.rfind("v1,", 0), 0u);
    EXPECT_EQ(signature.find(' '), std::string::npos);
    EXPECT_TRUE(verify({k_secret}, entry.webhook_id, sent_at, request.body, signature));

    ASSERT_EQ(m_observed.size(), 1u);
    EXPECT_EQ(m_observed[0].webhook, "ops");
    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::ok);
    EXPECT_GE(m_observed[0].latency.count(), 0.0);
    EXPECT_TRUE(m_store->outbox_all().value().empty());
    EXPECT_EQ(m_store->outbox_pending(), 0u);
}

TEST_F(DelivererTest, WakeDeliversRowsCommittedAfterStart)
{
    m_response.status = 200;
    start({target(receiver_url())});
    m_io.run_for(100ms);  // the loop is asleep now, with nothing to do for up to a minute
    EXPECT_TRUE(m_received.empty());
    queue_alert("a");
    queue_alert("b");
    m_deliverer->wake();
    ASSERT_TRUE(run_until(m_io, [&] { return m_observed.size() == 2; }));
    EXPECT_EQ(m_received.size(), 2u);
    EXPECT_EQ(m_store->outbox_pending(), 0u);
}

TEST_F(DelivererTest, ServerErrorKeepsRowWithBackoff)
{
    const model::OutboxEntry entry = queue_alert();
    m_response.status = 500;
    start({target(receiver_url())});
    const core::Instant started = core::now();
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    const core::Instant finished = core::now();

    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::http_error);
    const store::QueuedAlert row = only_row();
    EXPECT_EQ(row.entry.webhook_id, entry.webhook_id);
    EXPECT_EQ(row.entry.attempts, 1);
    EXPECT_EQ(row.entry.body, entry.body);
    // 5 s ±10%, rounded to whole seconds.
    EXPECT_GE(row.entry.next_attempt, started + 4s);
    EXPECT_LE(row.entry.next_attempt, finished + 6s);
    // Not retried before it is due.
    m_io.run_for(300ms);
    EXPECT_EQ(m_received.size(), 1u);
}

TEST_F(DelivererTest, RetryAfterIsAFloor)
{
    queue_alert();
    m_response.status = 503;
    m_response.headers.push_back(serve::Header{"Retry-After", "120"});
    start({target(receiver_url())});
    const core::Instant started = core::now();
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::http_error);
    const store::QueuedAlert row = only_row();
    EXPECT_EQ(row.entry.attempts, 1);
    EXPECT_GE(row.entry.next_attempt, started + 120s);
    EXPECT_LE(row.entry.next_attempt, core::now() + 121s);
}

TEST_F(DelivererTest, ReceiverDownIsNetworkError)
{
    // A port that was just free: nothing listens there.
    const std::uint16_t port = m_server->port();
    m_server->stop();
    m_io.run_for(50ms);
    queue_alert();
    start({target("http://127.0.0.1:" + std::to_string(port) + "/hook")});
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::network_error);
    EXPECT_EQ(only_row().entry.attempts, 1);
}

TEST_F(DelivererTest, SilentReceiverIsTimeout)
{
    // Accepts connections and never answers.
    asio::ip::tcp::acceptor acceptor(m_io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    asio::ip::tcp::socket accepted(m_io);
    acceptor.async_accept(accepted, [](const boost::system::error_code&) {});
    queue_alert();
    WebhookTarget webhook = target("http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/");
    webhook.timeout = 1s;
    start({webhook});
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }, 10s));
    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::timeout);
    EXPECT_EQ(only_row().entry.attempts, 1);
    acceptor.close();
    boost::system::error_code ignored;
    accepted.close(ignored);
}

TEST_F(DelivererTest, RedirectIsNotFollowed)
{
    queue_alert();
    m_response.status = 302;
    m_response.headers.push_back(serve::Header{"Location", "/elsewhere"});
    start({target(receiver_url())});
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::http_error);
    EXPECT_EQ(m_received.size(), 1u);
    EXPECT_EQ(only_row().entry.attempts, 1);
}

TEST_F(DelivererTest, TwoSecretsSendTwoSignatures)
{
    const model::OutboxEntry entry = queue_alert();
    start({target(receiver_url(), {k_secret, k_second_secret})});
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    ASSERT_EQ(m_received.size(), 1u);
    const serve::Request& request = m_received.front();
    const std::string header = request.header("webhook-signature");
    const auto space = header.find(' ');
    ASSERT_NE(space, std::string::npos) << header;
    const std::int64_t timestamp = std::stoll(request.header("webhook-timestamp"));
    EXPECT_TRUE(verify({k_secret}, entry.webhook_id, timestamp, request.body, header.substr(0, space)));
    EXPECT_TRUE(verify({k_second_secret}, entry.webhook_id, timestamp, request.body, header.substr(space + 1)));
}

TEST_F(DelivererTest, NoSecretsSendsNoSignature)
{
    queue_alert();
    start({target(receiver_url(), {})});
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    ASSERT_EQ(m_received.size(), 1u);
    EXPECT_EQ(m_received.front().header("webhook-signature"), "");
    EXPECT_FALSE(m_received.front().header("webhook-id").empty());
}

TEST_F(DelivererTest, UnknownWebhookStaysQueuedUntilConfigured)
{
    queue_alert();
    WebhookTarget other = target(receiver_url());
    other.name = "someone-else";
    start({other});
    m_io.run_for(300ms);
    EXPECT_TRUE(m_received.empty());
    EXPECT_TRUE(m_observed.empty());
    EXPECT_EQ(only_row().entry.attempts, 0);

    m_deliverer->set_targets({target(receiver_url())});
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::ok);
    EXPECT_EQ(m_store->outbox_pending(), 0u);
}

TEST_F(DelivererTest, DeliversEveryQueuedRowOnce)
{
    for (int i = 0; i < 10; ++i) {
        queue_alert("item-" + std::to_string(i));
    }
    start({target(receiver_url())});
    ASSERT_TRUE(run_until(m_io, [&] { return m_observed.size() == 10; }));
    EXPECT_EQ(m_received.size(), 10u);
    std::set<std::string> ids;
    for (const serve::Request& request : m_received) {
        ids.insert(request.header("webhook-id"));
    }
    EXPECT_EQ(ids.size(), 10u);
    EXPECT_EQ(m_store->outbox_pending(), 0u);
}

TEST_F(DelivererTest, AttemptAbortedByStopLeavesRowUntouched)
{
    asio::ip::tcp::acceptor acceptor(m_io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    asio::ip::tcp::socket accepted(m_io);
    bool connected = false;
    acceptor.async_accept(accepted, [&](const boost::system::error_code& error) { connected = !error; });
    queue_alert();
    start({target("http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/")});
    ASSERT_TRUE(run_until(m_io, [&] { return connected; }));
    m_deliverer->stop();
    m_client.stop();
    m_io.run_for(100ms);
    EXPECT_TRUE(m_observed.empty());
    EXPECT_EQ(only_row().entry.attempts, 0);
    acceptor.close();
    boost::system::error_code ignored;
    accepted.close(ignored);
}

TEST_F(DelivererTest, StopLetsRunReturn)
{
    start({target(receiver_url())});
    m_io.run_for(50ms);
    m_deliverer->stop();
    m_deliverer->stop();
    m_client.stop();
    m_server->stop();
    m_io.restart();
    const auto before = std::chrono::steady_clock::now();
    m_io.run_for(5s);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 4s);
}

TEST(Backoff, FollowsScheduleWithJitterAndRetryAfterFloor)
{
    EXPECT_EQ(backoff_delay(1), 5s);
    EXPECT_EQ(backoff_delay(2), 30s);
    EXPECT_EQ(backoff_delay(3), 2min);
    EXPECT_EQ(backoff_delay(4), 5min);
    EXPECT_EQ(backoff_delay(5), 10min);
    EXPECT_EQ(backoff_delay(6), 15min);
    EXPECT_EQ(backoff_delay(60), 15min);
    EXPECT_EQ(retry_delay(2, 0.1, 0s), 33s);
    EXPECT_EQ(retry_delay(2, -0.1, 0s), 27s);
    EXPECT_EQ(retry_delay(2, 0.5, 0s), 33s);  // jitter clamped to ±10%
    EXPECT_EQ(retry_delay(1, 0.0, 120s), 120s);
    EXPECT_EQ(retry_delay(6, 0.0, 60s), 15min);
    EXPECT_EQ(retry_delay(1, 0.0, 99999s), 1h);
    EXPECT_EQ(parse_retry_after(" 120 "), 120s);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0s);
    EXPECT_EQ(parse_retry_after(""), 0s);
    EXPECT_EQ(to_string(DeliveryOutcome::network_error), "network_error");
}

}  // namespace
}  // namespace feedwatch::deliver
