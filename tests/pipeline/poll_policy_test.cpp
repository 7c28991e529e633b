#include "pipeline/poll_policy.hpp"

#include <gtest/gtest.h>

namespace feedwatch::pipeline {
namespace {

using namespace std::chrono_literals;

PollBounds bounds(Seconds interval = 15min, Seconds min = 1min, Seconds max = 24h)
{
    PollBounds b;
    b.interval = interval;
    b.min_interval = min;
    b.max_interval = max;
    return b;
}

PollFacts facts(PollResult result)
{
    PollFacts f;
    f.result = result;
    return f;
}

TEST(PollPolicy, ChangedFeedWithoutHintsUsesTheConfiguredInterval)
{
    const auto plan = plan_next_poll(bounds(), facts(PollResult::changed), 0.5);
    EXPECT_FALSE(plan.disabled);
    EXPECT_EQ(plan.interval, 15min);
    EXPECT_EQ(plan.delay, 15min);
}

TEST(PollPolicy, AWireThatPublishesEveryTwoMinutesIsPolledEveryMinute)
{
    auto f = facts(PollResult::changed);
    f.publish_gap = 2min;
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.5).delay, 1min);
}

TEST(PollPolicy, AQuarterlyNewsroomIsPolledAtMaxInterval)
{
    auto f = facts(PollResult::changed);
    f.publish_gap = Seconds{90 * 24 * 3600};
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.5).delay, 24h);
}

TEST(PollPolicy, PublishingRateNeverGoesBelowMinInterval)
{
    auto f = facts(PollResult::changed);
    f.publish_gap = 10s;
    EXPECT_EQ(plan_next_poll(bounds(15min, 2min), f, 0.5).delay, 2min);
}

TEST(PollPolicy, AFeedWithItsOwnIntervalIsNotAdapted)
{
    auto b = bounds(5min);
    b.fixed = true;
    auto f = facts(PollResult::changed);
    f.publish_gap = 10h;
    EXPECT_EQ(plan_next_poll(b, f, 0.5).delay, 5min);
    auto unchanged = facts(PollResult::not_modified);
    unchanged.previous_interval = 5min;
    EXPECT_EQ(plan_next_poll(b, unchanged, 0.5).delay, 5min);
}

TEST(PollPolicy, RssTtlIsAFloor)
{
    auto f = facts(PollResult::changed);
    f.feed_ttl = 60min;
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.5).delay, 60min);
}

TEST(PollPolicy, SyndicationUpdatePeriodIsAFloor)
{
    auto f = facts(PollResult::changed);
    f.update_period = 2h;
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.5).interval, 2h);
}

TEST(PollPolicy, CacheControlMaxAgeDelaysTheNextPollButNotPastMaxInterval)
{
    auto f = facts(PollResult::changed);
    f.fresh_for = 40min;
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.5).delay, 40min);
    f.fresh_for = Seconds{365 * 24 * 3600};
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.5).delay, 24h);
}

TEST(PollPolicy, NotModifiedStretchesTheIntervalUpToFourTimesTheConfiguredOne)
{
    auto f = facts(PollResult::not_modified);
    f.previous_interval = 16min;
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.5).interval, 20min);
    f.previous_interval = 60min;
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.5).interval, 60min);
}

TEST(PollPolicy, ErrorsBackOffExponentiallyWithJitterUpToMaxInterval)
{
    auto f = facts(PollResult::failed);
    f.previous_interval = 10min;
    Seconds last{0};
    for (int errors = 1; errors <= 5; ++errors) {
        f.consecutive_errors = errors;
        const Seconds full = std::min<Seconds>(10min * (1 << (errors - 1)), 24h);
        const auto low = plan_next_poll(bounds(), f, 0.0).delay;
        const auto high = plan_next_poll(bounds(), f, 0.999).delay;
        EXPECT_EQ(low, full / 2) << errors;
        EXPECT_GE(high.count(), full.count() * 99 / 100) << errors;
        EXPECT_LE(high, full) << errors;
        EXPECT_GT(high, last);
        last = high;
    }
    f.consecutive_errors = 30;
    EXPECT_LE(plan_next_poll(bounds(), f, 0.999).delay, 24h);
    EXPECT_GE(plan_next_poll(bounds(), f, 0.0).delay, 12h);
}

TEST(PollPolicy, RetryAfterIsAFloorOnTheBackoff)
{
    auto f = facts(PollResult::failed);
    f.consecutive_errors = 1;
    f.retry_after = 3h;
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.0).delay, 3h);
    f.retry_after = 10s;  // shorter than the backoff: the backoff wins
    EXPECT_EQ(plan_next_poll(bounds(), f, 0.0).delay, 7min + 30s);
}

TEST(PollPolicy, GoneDisablesTheFeed)
{
    EXPECT_TRUE(plan_next_poll(bounds(), facts(PollResult::gone), 0.5).disabled);
    EXPECT_FALSE(plan_next_poll(bounds(), facts(PollResult::failed), 0.5).disabled);
}

TEST(PublishGap, IsTheMedianGapBetweenDistinctDates)
{
    const core::Instant t{std::chrono::sys_days{std::chrono::year{2026} / 11 / 1}};
    EXPECT_EQ(publish_gap({t, t + 2min, t + 4min, t + 6min, t + 60min}), 2min);
    EXPECT_EQ(publish_gap({t + 10min, t, t + 5min}), 5min);
}

TEST(PublishGap, NeedsThreeDatedItems)
{
    const core::Instant t{std::chrono::sys_days{std::chrono::year{2026} / 11 / 1}};
    EXPECT_EQ(publish_gap({t, t + 1h}), std::nullopt);
    EXPECT_EQ(publish_gap({t, t, t}), std::nullopt);
}

TEST(FirstDelay, KeepsAFutureNextPollAndSpreadsOverdueOnes)
{
    const core::Instant now{std::chrono::sys_days{std::chrono::year{2026} / 11 / 1}};
    EXPECT_EQ(first_delay(now + 5min, now, 0, 10ms, 24h), 5min);
    EXPECT_EQ(first_delay(now + 48h, now, 0, 10ms, 24h), 24h);
    EXPECT_TRUE(is_due(now - 1h, now));
    EXPECT_TRUE(is_due(std::nullopt, now));
    EXPECT_FALSE(is_due(now + 1s, now));
    EXPECT_EQ(first_delay(now - 1h, now, 0, 10ms, 24h), 0ms);
    EXPECT_EQ(first_delay(now - 1h, now, 7, 10ms, 24h), 70ms);
    EXPECT_EQ(first_delay(std::nullopt, now, 3, 10ms, 24h), 30ms);
}

}  // namespace
}  // namespace feedwatch::pipeline
