// The poll path end to end on loopback: App with a real store, metrics and HTTP client
// against a scripted origin.
#include "pipeline/app.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "support/run_until_complete.hpp"
#include "support/scripted_origin.hpp"

namespace feedwatch::pipeline {
namespace {

using namespace std::chrono_literals;
using test::run_until;
using test::ScriptedOrigin;
using test::ScriptedResponse;

const std::string k_feed = R"(<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title><link>http://example.com/</link>
<item><guid>a</guid><title>First</title></item>
<item><guid>b</guid><title>Second</title></item>
</channel></rss>)";

ScriptedResponse feed_response(std::vector<std::pair<std::string, std::string>> headers = {})
{
    ScriptedResponse response;
    response.headers = std::move(headers);
    response.headers.emplace_back("Content-Type", "application/rss+xml");
    response.body = k_feed;
    return response;
}

ScriptedResponse status(int code, std::vector<std::pair<std::string, std::string>> headers = {})
{
    ScriptedResponse response;
    response.status = code;
    response.headers = std::move(headers);
    return response;
}

double metric(const std::string& text, const std::string& series)
{
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(series + " ", 0) == 0) {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return -1;
}

class AppTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto opened = store::Store::open(m_dir.path() / "state");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
        m_config.daemon.listen = "127.0.0.1:0";
        m_config.daemon.state_dir = m_dir.path() / "state";
        m_config.fetch.interval = 1s;
        m_config.fetch.min_interval = 1s;
        m_config.fetch.max_interval = 1h;
        m_config.fetch.timeout = 5s;
        m_config.fetch.allow_private_networks = true;
    }

    void TearDown() override { stop(); }

    void add_feed(const std::string& path, std::optional<config::Seconds> interval = 1s)
    {
        config::FeedConfig feed;
        feed.url = m_origin.url(path);
        feed.interval = interval;
        m_config.feeds.push_back(feed);
    }

    void start()
    {
        m_app = std::make_unique<App>(m_io, m_config, *m_store, m_metrics);
        const auto started = m_app->start();
        ASSERT_TRUE(started) << started.error().detail;
    }

    void stop()
    {
        if (m_app) {
            m_app->stop();
            run_until(m_io, [] { return false; }, 100ms);
            m_app.reset();
        }
    }

    store::FeedState state(const std::string& path)
    {
        auto known = m_store->feed_state(m_origin.url(path));
        EXPECT_TRUE(known && *known);
        return known && *known ? **known : store::FeedState{};
    }

    // The stored state, or a default one while the feed has none (for run_until predicates).
    store::FeedState state_or_empty(const std::string& path)
    {
        auto known = m_store->feed_state(m_origin.url(path));
        return known && *known ? **known : store::FeedState{};
    }

    bool wait_for_requests(const std::string& path, std::size_t count, std::chrono::seconds timeout = 15s)
    {
        return run_until(m_io, [&] { return m_origin.requests(path).size() >= count; }, timeout);
    }

    static double seconds_between(const test::RecordedRequest& a, const test::RecordedRequest& b)
    {
        return std::chrono::duration<double>(b.at - a.at).count();
    }

    testing_support::TempDir m_dir;
    asio::io_context m_io;
    ScriptedOrigin m_origin{m_io};
    std::unique_ptr<store::Store> m_store;
    metrics::Metrics m_metrics{"test"};
    config::Config m_config;
    std::unique_ptr<App> m_app;
};

TEST_F(AppTest, SendsStoredValidatorsAndCounts304)
{
    m_origin.script("/feed.xml", {feed_response({{"ETag", "\"v1\""}, {"Last-Modified", "Sat, 28 Nov 2026 07:00:00 GMT"}}),
                                  status(304)});
    add_feed("/feed.xml");
    start();
    ASSERT_TRUE(wait_for_requests("/feed.xml", 3));
    const auto requests = m_origin.requests("/feed.xml");
    EXPECT_EQ(requests[0].header("if-none-match"), "");
    EXPECT_EQ(requests[1].header("if-none-match"), "\"v1\"");
    EXPECT_EQ(requests[1].header("if-modified-since"), "Sat, 28 Nov 2026 07:00:00 GMT");
    EXPECT_NE(requests[0].header("user-agent").find("feedwatch/"), std::string::npos);
    ASSERT_TRUE(run_until(m_io, [&] { return metric(m_metrics.render(), "feedwatch_fetch_requests_total{outcome=\"not_modified\"}") >= 2; }, 5s));
    const std::string text = m_metrics.render();
    EXPECT_EQ(metric(text, "feedwatch_fetch_requests_total{outcome=\"ok\"}"), 1) << text;
    EXPECT_EQ(metric(text, "feedwatch_articles_new_total"), 2) << text;
    EXPECT_EQ(metric(text, "feedwatch_feeds{state=\"active\"}"), 1) << text;
    EXPECT_GE(metric(text, "feedwatch_scheduler_lag_seconds_count"), 3) << text;
    EXPECT_NE(text.find("feedwatch_fetch_in_flight"), std::string::npos);
    EXPECT_EQ(state("/feed.xml").etag, "\"v1\"");
}

TEST_F(AppTest, FeedStateRecordsTheLastOutcomeStatusAndItemsSeen)
{
    m_origin.script("/feed.xml", {feed_response({{"ETag", "\"v1\""}}), status(304)});
    m_origin.script("/broken.xml", status(503));
    add_feed("/feed.xml");
    add_feed("/broken.xml");
    start();
    ASSERT_TRUE(wait_for_requests("/broken.xml", 1));
    ASSERT_TRUE(run_until(m_io, [&] { return state_or_empty("/broken.xml").last_status == 503; }, 5s));
    EXPECT_EQ(state("/broken.xml").last_outcome, "http_error");
    EXPECT_EQ(state("/broken.xml").items_seen, 0);
    ASSERT_TRUE(run_until(m_io, [&] { return state_or_empty("/feed.xml").items_seen == 2; }, 5s));
    EXPECT_EQ(state("/feed.xml").last_outcome, "ok");
    EXPECT_EQ(state("/feed.xml").last_status, 200);
    ASSERT_TRUE(wait_for_requests("/feed.xml", 2));
    ASSERT_TRUE(run_until(m_io, [&] { return state_or_empty("/feed.xml").last_status == 304; }, 5s));
    const store::FeedState after = state("/feed.xml");
    EXPECT_EQ(after.last_outcome, "not_modified");
    EXPECT_EQ(after.items_seen, 2);  // a 304 adds nothing
    EXPECT_TRUE(after.last_poll.has_value());
}

TEST_F(AppTest, RetryAfterOn429And503IsAFloor)
{
    m_origin.script("/busy.xml", {status(429, {{"Retry-After", "3"}}), feed_response()});
    m_origin.script("/down.xml", {status(503, {{"Retry-After", "3"}}), feed_response()});
    add_feed("/busy.xml");
    add_feed("/down.xml");
    start();
    ASSERT_TRUE(wait_for_requests("/busy.xml", 2));
    ASSERT_TRUE(wait_for_requests("/down.xml", 2));
    for (const char* path : {"/busy.xml", "/down.xml"}) {
        const auto requests = m_origin.requests(path);
        EXPECT_GE(seconds_between(requests[0], requests[1]), 2.9) << path;  // not the 1 s interval
    }
}

TEST_F(AppTest, ServerErrorsBackOffExponentially)
{
    m_origin.script("/broken.xml", status(500));
    add_feed("/broken.xml");
    start();
    ASSERT_TRUE(wait_for_requests("/broken.xml", 1));
    ASSERT_TRUE(run_until(m_io, [&] { return metric(m_metrics.render(), "feedwatch_feeds{state=\"backoff\"}") == 1; }, 5s));
    EXPECT_EQ(state("/broken.xml").consecutive_errors, 1);
    ASSERT_TRUE(wait_for_requests("/broken.xml", 4, 20s));
    const auto requests = m_origin.requests("/broken.xml");
    // 1 s interval: the third error waits 2-4 s (interval x 2^2 with jitter in [half, full]).
    EXPECT_GE(seconds_between(requests[2], requests[3]), 1.9);
    EXPECT_GE(state("/broken.xml").consecutive_errors, 3);
}

TEST_F(AppTest, GoneDisablesTheFeed)
{
    m_origin.script("/gone.xml", status(410));
    add_feed("/gone.xml");
    start();
    ASSERT_TRUE(wait_for_requests("/gone.xml", 1));
    ASSERT_TRUE(run_until(m_io, [&] { return metric(m_metrics.render(), "feedwatch_feeds{state=\"disabled\"}") == 1; }, 5s));
    EXPECT_FALSE(wait_for_requests("/gone.xml", 2, 3s));
    EXPECT_TRUE(state("/gone.xml").disabled);
}

TEST_F(AppTest, PermanentRedirectUpdatesTheUrl)
{
    m_origin.script("/old.xml", status(301, {{"Location", m_origin.url("/new.xml")}}));
    m_origin.script("/moved.xml", status(302, {{"Location", m_origin.url("/new.xml")}}));
    m_origin.script("/new.xml", feed_response());
    add_feed("/old.xml");
    add_feed("/moved.xml");
    start();
    ASSERT_TRUE(wait_for_requests("/new.xml", 5));
    EXPECT_EQ(m_origin.requests("/old.xml").size(), 1u);  // then straight to the new URL
    EXPECT_GE(m_origin.requests("/moved.xml").size(), 2u);  // a temporary redirect is followed each time
    EXPECT_EQ(state("/old.xml").moved_to, m_origin.url("/new.xml"));
    EXPECT_EQ(state("/moved.xml").moved_to, "");
}

TEST_F(AppTest, RestartKeepsValidatorsAndNextPollTimes)
{
    m_origin.script("/often.xml", {feed_response({{"ETag", "\"e1\""}}), status(304)});
    m_origin.script("/rare.xml", {feed_response({{"ETag", "\"r1\""}}), status(304)});
    add_feed("/often.xml", 1s);
    add_feed("/rare.xml", 1h);
    start();
    ASSERT_TRUE(wait_for_requests("/often.xml", 1));
    ASSERT_TRUE(wait_for_requests("/rare.xml", 1));
    run_until(m_io, [] { return false; }, 300ms);  // let the commits land
    stop();
    start();
    ASSERT_TRUE(wait_for_requests("/often.xml", 2));
    EXPECT_EQ(m_origin.requests("/often.xml")[1].header("if-none-match"), "\"e1\"");
    EXPECT_FALSE(wait_for_requests("/rare.xml", 2, 2s));  // due in an hour: a restart does not poll it
    const auto rare = state("/rare.xml");
    ASSERT_TRUE(rare.next_poll);
    EXPECT_GT(*rare.next_poll, core::now() + 50min);
}

TEST_F(AppTest, PerHostLimitIsNeverExceeded)
{
    for (int i = 0; i < 8; ++i) {
        auto slow = feed_response();
        slow.delay = 200ms;
        m_origin.script("/slow" + std::to_string(i) + ".xml", slow);
        add_feed("/slow" + std::to_string(i) + ".xml", 1h);
    }
    start();
    ASSERT_TRUE(run_until(m_io, [&] { return m_origin.request_count() >= 8; }, 15s));
    EXPECT_EQ(m_origin.max_concurrent_requests(), 2);
    EXPECT_LE(m_origin.connections_accepted(), 2);
}

TEST_F(AppTest, PrivateAddressIsRefusedUnlessTheFeedOptsIn)
{
    m_config.fetch.allow_private_networks = false;
    m_origin.script("/private.xml", feed_response());
    m_origin.script("/opted-in.xml", feed_response());
    add_feed("/private.xml", 1h);
    add_feed("/opted-in.xml", 1h);
    m_config.feeds.back().allow_private_networks = true;
    start();
    ASSERT_TRUE(wait_for_requests("/opted-in.xml", 1));
    ASSERT_TRUE(run_until(m_io, [&] { return metric(m_metrics.render(), "feedwatch_fetch_requests_total{outcome=\"blocked\"}") == 1; }, 5s));
    EXPECT_TRUE(m_origin.requests("/private.xml").empty());
}

TEST_F(AppTest, StoryMetricsCountAssignmentsAndARestartRestoresTheOpenStories)
{
    m_origin.script("/feed.xml", {feed_response({{"ETag", "\"v1\""}}), status(304)});
    add_feed("/feed.xml");
    start();
    ASSERT_TRUE(run_until(m_io, [&] { return metric(m_metrics.render(), "feedwatch_story_assignments_total{result=\"new\"}") == 2; }, 10s));
    const std::string text = m_metrics.render();
    EXPECT_EQ(metric(text, "feedwatch_story_assignments_total{result=\"joined\"}"), 0) << text;
    EXPECT_EQ(metric(text, "feedwatch_stories_open"), 2) << text;

    stop();  // saves the grouper state
    m_metrics.set_stories_open(0);
    start();
    EXPECT_EQ(metric(m_metrics.render(), "feedwatch_stories_open"), 2);
}

TEST_F(AppTest, WithStoriesDisabledNothingIsAssigned)
{
    m_config.story.enabled = false;
    m_origin.script("/feed.xml", {feed_response({{"ETag", "\"v1\""}}), status(304)});
    add_feed("/feed.xml");
    start();
    ASSERT_TRUE(run_until(m_io, [&] { return metric(m_metrics.render(), "feedwatch_articles_new_total") == 2; }, 10s));
    const std::string text = m_metrics.render();
    EXPECT_EQ(metric(text, "feedwatch_story_assignments_total{result=\"new\"}"), 0) << text;
    EXPECT_EQ(metric(text, "feedwatch_stories_open"), 0) << text;
}

}  // namespace
}  // namespace feedwatch::pipeline
