#pragma once
// When to poll a feed next: pure arithmetic over what the last poll learned, so every rule
// is a table-driven test. Miniflux does the same in one place (feed TTL, Cache-Control,
// Retry-After feed the next check time).
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/time.hpp"

namespace feedwatch::pipeline {

using Seconds = std::chrono::seconds;

struct PollBounds {
    Seconds interval{15 * 60};      // the feed's interval, or [fetch] interval
    Seconds min_interval{60};       // [fetch] min_interval
    Seconds max_interval{24 * 3600};  // [fetch] max_interval
    // The feed sets its own interval: kept as set (within the bounds and the publisher's
    // floors), not adapted to its publishing rate.
    bool fixed = false;
};

enum class PollResult {
    changed,       // 200 with a parsed body
    not_modified,  // 304
    failed,        // network error, HTTP error, parse error, too large, blocked
    gone,          // 410: stop polling
};

struct PollFacts {
    PollResult result = PollResult::changed;
    int consecutive_errors = 0;  // including this poll when it failed
    Seconds previous_interval{0};  // the interval in force before this poll (0: none yet)
    std::optional<Seconds> publish_gap;  // typical gap between the feed's items (200 only)
    std::optional<Seconds> feed_ttl;     // RSS <ttl>
    std::optional<Seconds> update_period;  // sy:updatePeriod / sy:updateFrequency
    std::optional<Seconds> fresh_for;    // Cache-Control max-age / Expires
    std::optional<Seconds> retry_after;  // 429/503 Retry-After
};

struct PollPlan {
    bool disabled = false;  // gone: never poll again
    Seconds interval{0};    // the interval in force from now on (persisted)
    Seconds delay{0};       // until the next poll (interval, or backoff with jitter)
};

// The next poll. `jitter` in [0, 1) spreads backoffs (a uniform draw by the caller).
// Success (unless bounds.fixed): the publishing gap halved when known (a wire that publishes every 2 minutes is
// polled every minute), else the configured interval; a 304 stretches the last interval by
// a quarter up to 4x the configured one. RSS <ttl>, sy:updatePeriod and the response's
// freshness are floors. Failure: interval x 2^(errors-1), capped at max_interval, drawn in
// [half, full] of that; Retry-After is a floor (capped at 7 days). Everything else is
// clamped to [min_interval, max_interval].
PollPlan plan_next_poll(const PollBounds& bounds, const PollFacts& facts, double jitter);

// Median gap between consecutive publication dates (newest 20), or nullopt with fewer than
// three dated items.
std::optional<Seconds> publish_gap(std::vector<core::Instant> dates);

// Delay before the first poll after a start. A next-poll time still ahead keeps it (capped
// at max_delay, for a config whose interval shrank); an overdue or unknown one gets the
// slot overdue_index x spacing from now, so a restart spreads its backlog instead of firing
// it at once. The caller counts overdue feeds (is_due) to number the slots.
bool is_due(std::optional<core::Instant> next_poll, core::Instant now);
std::chrono::microseconds first_delay(std::optional<core::Instant> next_poll, core::Instant now,
                                      std::size_t overdue_index, std::chrono::microseconds spacing, Seconds max_delay);

}  // namespace feedwatch::pipeline
