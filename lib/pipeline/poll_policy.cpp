#include "pipeline/poll_policy.hpp"

#include <algorithm>
#include <cmath>

namespace feedwatch::pipeline {
namespace {

constexpr Seconds k_retry_after_cap{7 * 24 * 3600};
constexpr int k_max_doublings = 20;

Seconds clamp_to(const PollBounds& bounds, Seconds value)
{
    const Seconds low = std::max(Seconds{1}, bounds.min_interval);
    const Seconds high = std::max(low, bounds.max_interval);
    return std::clamp(value, low, high);
}

Seconds at_least(Seconds value, const std::optional<Seconds>& floor, Seconds cap)
{
    return floor ? std::max(value, std::min(*floor, cap)) : value;
}

}  // namespace

PollPlan plan_next_poll(const PollBounds& bounds, const PollFacts& facts, double jitter)
{
    PollPlan plan;
    const Seconds configured = clamp_to(bounds, bounds.interval);
    const Seconds previous = facts.previous_interval.count() > 0 ? facts.previous_interval : configured;
    switch (facts.result) {
    case PollResult::gone:
        plan.disabled = true;
        plan.interval = previous;
        plan.delay = bounds.max_interval;
        return plan;
    case PollResult::failed: {
        plan.interval = previous;
        const int doublings = std::clamp(facts.consecutive_errors - 1, 0, k_max_doublings);
        const double full = std::min(static_cast<double>(bounds.max_interval.count()),
                                     static_cast<double>(previous.count()) * std::pow(2.0, doublings));
        const double drawn = full * (0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0));
        Seconds delay = clamp_to(bounds, Seconds{static_cast<std::int64_t>(drawn)});
        if (facts.retry_after) {
            delay = std::max(delay, std::min(*facts.retry_after, k_retry_after_cap));
        }
        plan.delay = delay;
        return plan;
    }
    case PollResult::changed:
        plan.interval = facts.publish_gap && !bounds.fixed ? *facts.publish_gap / 2 : configured;
        break;
    case PollResult::not_modified:
        plan.interval =
            bounds.fixed ? configured : std::min(previous + previous / 4, std::max(previous, configured * 4));
        break;
    }
    Seconds interval = clamp_to(bounds, plan.interval);
    // Publisher hints are floors, but never past max_interval.
    interval = at_least(interval, facts.feed_ttl, bounds.max_interval);
    interval = at_least(interval, facts.update_period, bounds.max_interval);
    plan.interval = interval;
    plan.delay = at_least(interval, facts.fresh_for, bounds.max_interval);
    return plan;
}

std::optional<Seconds> publish_gap(std::vector<core::Instant> dates)
{
    std::sort(dates.begin(), dates.end(), std::greater<>());
    dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
    if (dates.size() > 20) {
        dates.resize(20);
    }
    if (dates.size() < 3) {
        return std::nullopt;
    }
    std::vector<Seconds> gaps;
    for (std::size_t i = 0; i + 1 < dates.size(); ++i) {
        gaps.push_back(dates[i] - dates[i + 1]);
    }
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
    return gaps[gaps.size() / 2];
}

bool is_due(std::optional<core::Instant> next_poll, core::Instant now) { return !next_poll || *next_poll <= now; }

std::chrono::microseconds first_delay(std::optional<core::Instant> next_poll, core::Instant now,
                                      std::size_t overdue_index, std::chrono::microseconds spacing, Seconds max_delay)
{
    if (!is_due(next_poll, now)) {
        return std::min<std::chrono::microseconds>(*next_poll - now, max_delay);
    }
    return spacing * static_cast<std::int64_t>(overdue_index);
}

}  // namespace feedwatch::pipeline
