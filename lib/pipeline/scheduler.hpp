#pragma once
// The poll queue: every feed's next-poll time on one steady-clock timer queue (one Asio
// timer for all feeds), and the politeness limits: at most `concurrency` polls in flight,
// at most `per_host` per host. Due feeds wait here, not inside curl, because curl counts
// time queued in its multi handle against the transfer's timeout.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/asio.hpp"

namespace feedwatch::pipeline {

struct SchedulerLimits {
    std::size_t concurrency = 64;  // polls in flight, all hosts
    std::size_t per_host = 2;      // polls in flight to one host name
};

// Runs one poll of the feed with this URL and returns the delay until its next poll, or
// nullopt to park it (not polled again until removed and added back).
using PollFunction = std::function<asio::awaitable<std::optional<std::chrono::milliseconds>>(std::string url)>;

struct SchedulerObserver {
    // How late a poll started after its due time (queueing for a slot included).
    std::function<void(std::chrono::duration<double> lag)> on_start;
    // Polls in flight after each change.
    std::function<void(std::size_t in_flight)> on_in_flight;
};

// Host name of an http(s) URL, lower-cased, without userinfo and port ("" when none).
std::string host_of(std::string_view url);

// All calls on the io_context's thread. Polls still running at stop() finish (the HTTP
// client's stop cancels them) and are not rescheduled; the scheduler's state lives until
// the last of them returns.
class Scheduler {
public:
    Scheduler(asio::io_context& io, SchedulerLimits limits, PollFunction poll, SchedulerObserver observer = {});
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Adds a feed due after delay. A feed already present keeps its time.
    void add(const std::string& url, std::chrono::microseconds delay);
    // Removes a feed; a poll in flight completes and is not rescheduled. Unknown: no-op.
    void remove(const std::string& url);
    bool contains(const std::string& url) const;
    void set_limits(SchedulerLimits limits);

    std::size_t size() const;
    std::size_t in_flight() const;
    // Polls waiting for a slot (due, not started).
    std::size_t queued() const;

    // Idempotent.
    void stop();

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

}  // namespace feedwatch::pipeline
