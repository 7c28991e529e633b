#pragma once
// Drains the store's outbox to webhooks: at-least-once delivery, signed per Standard
// Webhooks, retried with backoff until the receiver answers 2xx. Rows survive restarts
// because they live in the store until delivered.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/time.hpp"
#include "http/client.hpp"
#include "store/store.hpp"

namespace feedwatch::deliver {

struct WebhookTarget {
    std::string name;  // matches model::OutboxEntry::webhook
    std::string url;   // may hold a token: never logged
    std::vector<std::string> secrets;  // "whsec_<base64>" or raw; empty: unsigned
    std::chrono::seconds timeout{15};
};

enum class DeliveryOutcome { ok, http_error, network_error, timeout };

// "ok", "http_error", "network_error", "timeout": usable as a metric label value.
std::string_view to_string(DeliveryOutcome outcome) noexcept;

// Called once per attempt (not for attempts aborted by stop), on the io_context thread.
using DeliveryObserver = std::function<void(const std::string& webhook, DeliveryOutcome,
                                            std::chrono::duration<double> latency_since_created)>;

// Delay before attempt number `attempts + 1` after `attempts` failed ones: 5 s, 30 s, 2 min,
// 5 min, 10 min, then 15 min, without jitter.
std::chrono::seconds backoff_delay(int attempts);

// Delay for a failed attempt: backoff_delay(attempts) with ±10% jitter (jitter_fraction in
// [-0.1, 0.1]), raised to retry_after (capped at 1 h) when the receiver sent one.
std::chrono::seconds retry_delay(int attempts, double jitter_fraction, std::chrono::seconds retry_after);

// Seconds of a Retry-After value in delta-seconds form; 0 when absent or an HTTP-date.
std::chrono::seconds parse_retry_after(std::string_view value);

// Delivers up to four outbox rows concurrently. All member functions except wake() must be
// called on the io_context's thread; wake() may be called from any thread. store, client and
// io must outlive the Deliverer and any coroutine it started (stop() and run the io_context
// to completion, or destroy the io_context, before destroying them).
class Deliverer {
public:
    Deliverer(asio::io_context& io, store::Store& store, http::Client& client, std::vector<WebhookTarget> targets,
              DeliveryObserver observer);
    ~Deliverer();
    Deliverer(const Deliverer&) = delete;
    Deliverer& operator=(const Deliverer&) = delete;

    // Starts the drain loop (co_spawn on io). Calling it twice has no effect.
    void start();
    // New outbox rows were committed: drain now instead of at the next scheduled attempt.
    void wake();
    // Config reload: later attempts use these targets; rows parked for an unknown webhook are
    // retried at once.
    void set_targets(std::vector<WebhookTarget> targets);
    // The loop exits and starts no new deliveries; attempts in flight finish (stop the
    // http::Client to abort them; aborted attempts leave their rows untouched). Idempotent.
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

}  // namespace feedwatch::deliver
