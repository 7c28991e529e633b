#include "pipeline/scheduler.hpp"

#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_until_complete.hpp"

namespace feedwatch::pipeline {
namespace {

using namespace std::chrono_literals;
using test::run_until;

// A poll that takes `duration` on a timer and counts how many run at once, per host.
struct Recorder {
    explicit Recorder(asio::io_context& io_context) : io(io_context) {}
    asio::io_context& io;
    std::chrono::milliseconds duration{20ms};
    std::optional<std::chrono::milliseconds> next = 1h;
    std::vector<std::string> order;
    std::map<std::string, int> running_by_host;
    std::map<std::string, int> max_by_host;
    int running = 0;
    int max_running = 0;
    int finished = 0;

    PollFunction function()
    {
        return [this](std::string url) { return poll(std::move(url)); };
    }

    asio::awaitable<std::optional<std::chrono::milliseconds>> poll(std::string url)
    {
        order.push_back(url);
        const std::string host = host_of(url);
        max_by_host[host] = std::max(max_by_host[host], ++running_by_host[host]);
        max_running = std::max(max_running, ++running);
        asio::steady_timer timer(io, duration);
        boost::system::error_code ignored;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        --running_by_host[host];
        --running;
        ++finished;
        co_return next;
    }
};

TEST(HostOf, StripsSchemeUserinfoPortAndCase)
{
    EXPECT_EQ(host_of("https://user:pw@Example.COM:8443/feed?x=1"), "example.com");
    EXPECT_EQ(host_of("http://127.0.0.2/a"), "127.0.0.2");
    EXPECT_EQ(host_of("http://[::1]:80/a"), "[::1]");
    EXPECT_EQ(host_of("not a url"), "");
}

TEST(Scheduler, PerHostLimitIsNeverExceeded)
{
    asio::io_context io;
    Recorder recorder(io);
    Scheduler scheduler(io, SchedulerLimits{64, 2}, recorder.function());
    for (int i = 0; i < 30; ++i) {
        scheduler.add("http://a.example/" + std::to_string(i), 0ms);
        scheduler.add("http://b.example/" + std::to_string(i), 0ms);
    }
    ASSERT_TRUE(run_until(io, [&] { return recorder.finished == 60; }, 20s));
    EXPECT_EQ(recorder.max_by_host["a.example"], 2);
    EXPECT_EQ(recorder.max_by_host["b.example"], 2);
    EXPECT_EQ(recorder.max_running, 4);
    scheduler.stop();
}

TEST(Scheduler, GlobalConcurrencyIsNeverExceeded)
{
    asio::io_context io;
    Recorder recorder(io);
    std::size_t max_reported = 0;
    SchedulerObserver observer{{}, [&](std::size_t in_flight) { max_reported = std::max(max_reported, in_flight); }};
    Scheduler scheduler(io, SchedulerLimits{3, 2}, recorder.function(), observer);
    for (int i = 0; i < 40; ++i) {
        scheduler.add("http://host" + std::to_string(i) + ".example/feed", 0ms);
    }
    ASSERT_TRUE(run_until(io, [&] { return recorder.finished == 40; }, 20s));
    EXPECT_EQ(recorder.max_running, 3);
    EXPECT_EQ(max_reported, 3u);
    scheduler.stop();
}

TEST(Scheduler, PollsInDueOrderAndReportsLag)
{
    asio::io_context io;
    Recorder recorder(io);
    recorder.duration = 0ms;
    std::vector<double> lags;
    SchedulerObserver observer{[&](std::chrono::duration<double> lag) { lags.push_back(lag.count()); }, {}};
    Scheduler scheduler(io, SchedulerLimits{1, 1}, recorder.function(), observer);
    scheduler.add("http://x.example/late", 60ms);
    scheduler.add("http://x.example/early", 20ms);
    scheduler.add("http://x.example/now", 0ms);
    ASSERT_TRUE(run_until(io, [&] { return recorder.finished == 3; }, 5s));
    EXPECT_EQ(recorder.order, (std::vector<std::string>{"http://x.example/now", "http://x.example/early", "http://x.example/late"}));
    ASSERT_EQ(lags.size(), 3u);
    for (double lag : lags) {
        EXPECT_GE(lag, 0.0);
        EXPECT_LT(lag, 1.0);
    }
    scheduler.stop();
}

TEST(Scheduler, ReschedulesAfterTheReturnedDelayAndParksOnNullopt)
{
    asio::io_context io;
    Recorder recorder(io);
    recorder.duration = 0ms;
    recorder.next = 30ms;
    Scheduler scheduler(io, SchedulerLimits{4, 2}, recorder.function());
    scheduler.add("http://x.example/feed", 0ms);
    ASSERT_TRUE(run_until(io, [&] { return recorder.finished == 3; }, 5s));
    recorder.next = std::nullopt;
    ASSERT_TRUE(run_until(io, [&] { return recorder.finished == 4; }, 5s));
    EXPECT_FALSE(run_until(io, [&] { return recorder.finished > 4; }, 200ms));
    EXPECT_TRUE(scheduler.contains("http://x.example/feed"));
    scheduler.stop();
}

TEST(Scheduler, RemovedFeedIsNotPolledAgain)
{
    asio::io_context io;
    Recorder recorder(io);
    recorder.duration = 50ms;
    recorder.next = 10ms;
    Scheduler scheduler(io, SchedulerLimits{4, 2}, recorder.function());
    scheduler.add("http://x.example/running", 0ms);
    scheduler.add("http://x.example/waiting", 10s);
    ASSERT_TRUE(run_until(io, [&] { return recorder.running == 1; }, 5s));
    scheduler.remove("http://x.example/running");
    scheduler.remove("http://x.example/waiting");
    EXPECT_FALSE(scheduler.contains("http://x.example/running"));
    ASSERT_TRUE(run_until(io, [&] { return recorder.finished == 1; }, 5s));
    EXPECT_FALSE(run_until(io, [&] { return recorder.finished > 1; }, 200ms));
    EXPECT_EQ(scheduler.size(), 0u);
    scheduler.stop();
}

TEST(Scheduler, OneTimerServesTenThousandFeeds)
{
    asio::io_context io;
    Recorder recorder(io);
    recorder.duration = 0ms;
    Scheduler scheduler(io, SchedulerLimits{64, 2}, recorder.function());
    for (int i = 0; i < 10000; ++i) {
        scheduler.add("http://h" + std::to_string(i % 100) + ".example/" + std::to_string(i), std::chrono::milliseconds{i % 50});
    }
    ASSERT_TRUE(run_until(io, [&] { return recorder.finished == 10000; }, 60s));
    EXPECT_LE(recorder.max_running, 64);
    for (const auto& [host, max] : recorder.max_by_host) {
        EXPECT_LE(max, 2) << host;
    }
    scheduler.stop();
}

}  // namespace
}  // namespace feedwatch::pipeline
