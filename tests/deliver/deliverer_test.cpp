#include "support/temp_dir.hpp"
#include "deliver/deliverer.hpp"

#include <cstdlib>
#include <deque>
#include <map>

#include <nlohmann/json.hpp>

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

using testing_support::TempDir;

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
            if (!m_script.empty()) {
                serve::Response next = m_script.front();
                m_script.pop_front();
                return next;
            }
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
    model::OutboxEntry queue_alert(const std::string& item_id = "item-1", core::Instant created = core::now())
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
        entry.created = created;
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

    std::vector<int> only_rows_attempts() const
    {
        std::vector<int> attempts;
        const auto rows = m_store->outbox_all().value();
        for (const auto& row : rows) {
            attempts.push_back(row.entry.attempts);
        }
        return attempts;
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
    std::deque<serve::Response> m_script;  // answered first, in order, then m_response
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

TEST(Backoff, RetryAfterHttpDateIsADelayFromNow)
{
    const core::Instant now = core::Instant{std::chrono::sys_days{std::chrono::year{2015} / 10 / 21}} + 7h + 20min;
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 8min);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:19:00 GMT", now), 0s);  // in the past
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 UTC", now), 0s);  // not IMF-fixdate
    EXPECT_EQ(parse_retry_after("Wed, 31 Feb 2015 07:28:00 GMT", now), 0s);
    EXPECT_EQ(parse_retry_after("12abc", now), 0s);
}

TEST(Backoff, ScaleShrinksScheduleButNotRetryAfterOrTheOneSecondFloor)
{
    EXPECT_EQ(retry_delay(3, 0.0, 0s, 0.1), 12s);
    EXPECT_EQ(retry_delay(1, 0.0, 0s, 0.01), 1s);
    EXPECT_EQ(retry_delay(1, 0.0, 7s, 0.01), 7s);
}

TEST(Backoff, RetryableStatusesAreTimeoutTooEarlyTooManyAndServerErrors)
{
    for (int status : {408, 425, 429, 500, 502, 503, 599}) {
        EXPECT_TRUE(retryable_status(status)) << status;
    }
    for (int status : {301, 400, 401, 403, 404, 410, 422}) {
        EXPECT_FALSE(retryable_status(status)) << status;
    }
}

serve::Response answer(int status, std::vector<serve::Header> headers = {})
{
    serve::Response response;
    response.status = status;
    response.headers = std::move(headers);
    response.body = "scripted\n";
    return response;
}

TEST_F(DelivererTest, ScriptedFailuresAreRetriedUntilSuccessUnderOneId)
{
    const model::OutboxEntry entry = queue_alert();
    m_script = {answer(500), answer(429, {{"Retry-After", "1"}}), answer(503)};
    m_response.status = 200;
    WebhookTarget webhook = target(receiver_url());
    webhook.retry_scale = 0.01;  // 5 s, 30 s, 2 min -> the 1 s floor
    start({webhook});
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }, 20s));
    ASSERT_EQ(m_received.size(), 4u);
    for (const serve::Request& request : m_received) {
        EXPECT_EQ(request.header("webhook-id"), entry.webhook_id);
        EXPECT_EQ(request.body, entry.body);
    }
    ASSERT_EQ(m_observed.size(), 4u);
    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::http_error);
    EXPECT_EQ(m_observed[3].outcome, DeliveryOutcome::ok);
}

TEST_F(DelivererTest, GoneDisablesWebhookKeepsAlertsUntilReload)
{
    queue_alert("a");
    queue_alert("b");
    m_response.status = 410;
    std::vector<std::pair<std::string, WebhookHealth>> health;
    DeliveryEvents events;
    events.attempt = [this](const std::string& webhook, DeliveryOutcome outcome, std::chrono::duration<double> latency) {
        m_observed.push_back(Observed{webhook, outcome, latency});
    };
    events.health = [&](const std::string& webhook, WebhookHealth state) { health.emplace_back(webhook, state); };
    WebhookTarget webhook = target(receiver_url());
    webhook.concurrency = 1;
    m_deliverer = std::make_unique<Deliverer>(m_io, *m_store, m_client, std::vector<WebhookTarget>{webhook}, events);
    m_deliverer->start();
    ASSERT_TRUE(run_until(m_io, [&] { return !health.empty(); }));
    m_io.run_for(1500ms);
    EXPECT_EQ(m_received.size(), 1u);  // nothing more is sent to a disabled webhook
    EXPECT_EQ(m_store->outbox_pending(), 2u);
    EXPECT_EQ(health.front(), std::make_pair(std::string("ops"), WebhookHealth::disabled));
    EXPECT_EQ(only_rows_attempts(), (std::vector<int>{0, 0}));

    m_response.status = 200;
    m_deliverer->set_targets({webhook});  // a reload enables it again
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }));
    EXPECT_EQ(m_received.size(), 3u);
    EXPECT_EQ(health.back(), std::make_pair(std::string("ops"), WebhookHealth::healthy));
}

TEST_F(DelivererTest, GoneStaysDisabledAcrossARestartWhileTheWebhookKeepsItsUrl)
{
    queue_alert("a");
    m_response.status = 410;
    std::vector<WebhookHealth> health;
    DeliveryEvents events;
    events.health = [&](const std::string&, WebhookHealth state) { health.push_back(state); };
    const WebhookTarget webhook = target(receiver_url());
    m_deliverer = std::make_unique<Deliverer>(m_io, *m_store, m_client, std::vector<WebhookTarget>{webhook}, events);
    m_deliverer->start();
    ASSERT_TRUE(run_until(m_io, [&] { return !health.empty(); }));
    m_deliverer->stop();

    // "Restart": a new deliverer over the same store and the same URL sends nothing.
    m_response.status = 200;
    health.clear();
    m_deliverer = std::make_unique<Deliverer>(m_io, *m_store, m_client, std::vector<WebhookTarget>{webhook}, events);
    m_deliverer->start();
    m_io.run_for(1500ms);
    EXPECT_EQ(m_received.size(), 1u);
    EXPECT_EQ(health, std::vector<WebhookHealth>{WebhookHealth::disabled});
    EXPECT_EQ(m_store->outbox_pending(), 1u);
    m_deliverer->stop();

    // A restart with a new URL for the webhook delivers, and the mark is gone.
    WebhookTarget moved = webhook;
    moved.url = receiver_url() + "?moved";
    m_deliverer = std::make_unique<Deliverer>(m_io, *m_store, m_client, std::vector<WebhookTarget>{moved}, events);
    m_deliverer->start();
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }));
    EXPECT_EQ(m_received.size(), 2u);
    auto gone = m_store->gone_webhooks();
    ASSERT_TRUE(gone);
    EXPECT_TRUE(gone->empty());
}

TEST_F(DelivererTest, OtherClientErrorRetriesAndMarksUnhealthy)
{
    queue_alert();
    m_response.status = 400;
    std::vector<WebhookHealth> health;
    DeliveryEvents events;
    events.attempt = [this](const std::string& webhook, DeliveryOutcome outcome, std::chrono::duration<double> latency) {
        m_observed.push_back(Observed{webhook, outcome, latency});
    };
    events.health = [&](const std::string&, WebhookHealth state) { health.push_back(state); };
    m_deliverer = std::make_unique<Deliverer>(m_io, *m_store, m_client,
                                              std::vector<WebhookTarget>{target(receiver_url())}, events);
    m_deliverer->start();
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    EXPECT_EQ(health, std::vector<WebhookHealth>{WebhookHealth::unhealthy});
    const store::QueuedAlert row = only_row();
    EXPECT_EQ(row.entry.attempts, 1);
    EXPECT_GE(row.entry.next_attempt, core::now() + 3s);  // the ordinary schedule
}

TEST_F(DelivererTest, GivesUpAfterGiveUpAfterIntoDeadLettersAndRequeueDelivers)
{
    const model::OutboxEntry entry = queue_alert("old", core::now() - 10s);
    m_response.status = 503;
    int dead = 0;
    DeliveryEvents events;
    events.attempt = [this](const std::string& webhook, DeliveryOutcome outcome, std::chrono::duration<double> latency) {
        m_observed.push_back(Observed{webhook, outcome, latency});
    };
    events.dead = [&](const std::string&) { ++dead; };
    WebhookTarget webhook = target(receiver_url());
    webhook.give_up_after = 5s;
    m_deliverer = std::make_unique<Deliverer>(m_io, *m_store, m_client, std::vector<WebhookTarget>{webhook}, events);
    m_deliverer->start();
    ASSERT_TRUE(run_until(m_io, [&] { return dead == 1; }));
    EXPECT_EQ(m_store->outbox_pending(), 0u);
    const auto dead_rows = m_store->dead_all().value();
    ASSERT_EQ(dead_rows.size(), 1u);
    EXPECT_EQ(dead_rows[0].entry.webhook_id, entry.webhook_id);
    EXPECT_EQ(dead_rows[0].entry.attempts, 1);

    m_response.status = 200;
    ASSERT_TRUE(m_store->requeue(entry.webhook_id, core::now()).value());
    m_deliverer->wake();
    ASSERT_TRUE(run_until(m_io, [&] { return m_received.size() == 2 && m_store->outbox_pending() == 0; }));
    EXPECT_EQ(m_received.back().header("webhook-id"), entry.webhook_id);
    EXPECT_TRUE(m_store->dead_all().value().empty());
}

// Accepts connections and holds them open; answers after the given delay with headers only,
// then drips one body byte per `drip` (a slow body).
struct HoldingServer {
    explicit HoldingServer(asio::io_context& io) : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) { accept(); }
    void accept()
    {
        auto socket = std::make_shared<asio::ip::tcp::socket>(acceptor.get_executor());
        acceptor.async_accept(*socket, [this, socket](const boost::system::error_code& error) {
            if (error) {
                return;
            }
            sockets.push_back(socket);
            ++accepted;
            accept();
        });
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/hook"; }
    void close()
    {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        for (auto& socket : sockets) {
            socket->close(ignored);
        }
    }
    asio::ip::tcp::acceptor acceptor;
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> sockets;
    int accepted = 0;
};

TEST_F(DelivererTest, ConcurrencyIsBoundedPerWebhook)
{
    HoldingServer holding(m_io);
    for (int i = 0; i < 6; ++i) {
        queue_alert("item-" + std::to_string(i));
    }
    WebhookTarget webhook = target(holding.url());
    webhook.concurrency = 2;
    webhook.timeout = 3s;
    start({webhook});
    ASSERT_TRUE(run_until(m_io, [&] { return holding.accepted >= 2; }));
    m_io.run_for(800ms);
    EXPECT_EQ(holding.accepted, 2);
    holding.close();
}

TEST_F(DelivererTest, SlowBodyTimesOutAndStaysQueued)
{
    asio::ip::tcp::acceptor acceptor(m_io, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::tcp::socket socket(m_io);
    asio::steady_timer drip(m_io);
    std::function<void()> drip_byte = [&] {
        drip.expires_after(300ms);
        drip.async_wait([&](const boost::system::error_code& error) {
            if (!error && socket.is_open()) {
                boost::system::error_code ignored;
                asio::write(socket, asio::buffer("x", 1), ignored);
                drip_byte();
            }
        });
    };
    acceptor.async_accept(socket, [&](const boost::system::error_code& error) {
        if (!error) {
            const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
            boost::system::error_code ignored;
            asio::write(socket, asio::buffer(head), ignored);
            drip_byte();
        }
    });
    queue_alert();
    WebhookTarget webhook = target("http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/hook");
    webhook.timeout = 1s;
    start({webhook});
    ASSERT_TRUE(run_until(m_io, [&] { return !m_observed.empty(); }));
    EXPECT_EQ(m_observed[0].outcome, DeliveryOutcome::timeout);
    EXPECT_EQ(only_row().entry.attempts, 1);  // a 200 status line is not a delivery
    boost::system::error_code ignored;
    drip.cancel();
    socket.close(ignored);
    acceptor.close(ignored);
}

TEST_F(DelivererTest, FifoPerWebhook)
{
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        ids.push_back(queue_alert("item-" + std::to_string(i)).webhook_id);
    }
    WebhookTarget webhook = target(receiver_url());
    webhook.concurrency = 1;
    start({webhook});
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }));
    std::vector<std::string> received;
    for (const serve::Request& request : m_received) {
        received.push_back(request.header("webhook-id"));
    }
    EXPECT_EQ(received, ids);
}

TEST_F(DelivererTest, PastMaxPerMinuteAlertsAreCombinedIntoOneDigest)
{
    std::vector<std::string> ids;
    for (int i = 0; i < 6; ++i) {
        ids.push_back(queue_alert("item-" + std::to_string(i)).webhook_id);
    }
    WebhookTarget webhook = target(receiver_url());
    webhook.max_per_minute = 2;
    start({webhook});
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }));
    m_io.run_for(300ms);
    ASSERT_EQ(m_received.size(), 2u);  // within the limit: nothing dropped, nothing more sent
    EXPECT_EQ(m_received[0].header("webhook-id"), ids[0]);
    const serve::Request& digest = m_received[1];
    EXPECT_EQ(digest.header("webhook-id").rfind("digest_", 0), 0u);
    EXPECT_TRUE(verify({k_secret}, digest.header("webhook-id"), std::stoll(digest.header("webhook-timestamp")),
                       digest.body, digest.header("webhook-signature")));
    const auto body = nlohmann::json::parse(digest.body);
    EXPECT_EQ(body["type"], "watchlist.digest");
    EXPECT_EQ(body["data"]["count"], 5);
    std::vector<std::string> digested;
    for (const auto& alert : body["data"]["alerts"]) {
        digested.push_back(alert["id"].get<std::string>());
        EXPECT_EQ(alert["watchlist"], "china-cyber");
        EXPECT_EQ(alert["article"]["title"], "Huawei");
    }
    EXPECT_EQ(digested, std::vector<std::string>(ids.begin() + 1, ids.end()));
}

TEST_F(DelivererTest, SlackFormatIsRenderedAtSendTime)
{
    queue_alert();
    WebhookTarget webhook = target(receiver_url());
    webhook.format = Format::slack;
    start({webhook});
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }));
    const auto body = nlohmann::json::parse(m_received.at(0).body);
    EXPECT_TRUE(body.contains("text"));
    EXPECT_EQ(body["blocks"][0]["type"], "section");
}

}  // namespace
}  // namespace feedwatch::deliver
