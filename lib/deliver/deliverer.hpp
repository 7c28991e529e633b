#pragma once
// Drains the store's outbox to webhooks: at-least-once delivery, signed per Standard
// Webhooks, retried with backoff until the receiver answers 2xx or give_up_after passes (then
// the row moves to the store's dead letters). Rows survive restarts because they live in the
// store until delivered. Per webhook: bounded concurrency, FIFO except rows waiting for a
// retry, max_per_minute with digests, 410 Gone disables the webhook until the next reload
// (across restarts too, while its URL stays the same).
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/time.hpp"
#include "deliver/formats.hpp"
#include "http/client.hpp"
#include "store/store.hpp"

namespace feedwatch::deliver {

struct WebhookTarget {
    std::string name;  // matches model::OutboxEntry::webhook
    std::string url;   // may hold a token: never logged
    std::vector<std::string> secrets;  // "whsec_<base64>" or raw; empty: unsigned; two during rotation
    std::chrono::seconds timeout{15};
    Format format = Format::json;
    std::size_t concurrency = 4;  // requests in flight to this webhook
    int max_per_minute = 0;       // 0: no limit; past it, due alerts are sent as one digest
    std::chrono::seconds give_up_after{72 * 3600};
    double retry_scale = 1.0;  // test only: multiplies the backoff schedule (not Retry-After)
};

// Overall bound on requests in flight, all webhooks together.
inline constexpr std::size_t k_max_in_flight_overall = 16;

enum class DeliveryOutcome { ok, http_error, network_error, timeout };

// healthy: last answer 2xx or retryable; unhealthy: a 4xx other than 408/425/429/410 (or a
// 3xx) — retried, but probably misconfigured; disabled: 410 Gone, nothing is sent until the
// configuration is reloaded; alerts stay queued.
enum class WebhookHealth { healthy, unhealthy, disabled };

// Pending alerts of one webhook, reported after every change of the outbox.
struct WebhookQueueStats {
    std::string webhook;
    std::size_t pending = 0;
    double oldest_seconds = 0;  // age of the oldest pending alert, 0 when none
};

// Hooks for metrics; each may be empty. Called on the io_context thread.
struct DeliveryEvents {
    // Once per alert per attempt (not for attempts aborted by stop).
    std::function<void(const std::string& webhook, DeliveryOutcome, std::chrono::duration<double> since_created)> attempt;
    // An alert moved to the dead letters.
    std::function<void(const std::string& webhook)> dead;
    std::function<void(const std::string& webhook, WebhookHealth)> health;
    // Every configured webhook and every webhook with queued rows.
    std::function<void(const std::vector<WebhookQueueStats>&)> queues;
};

// "ok", "http_error", "network_error", "timeout": usable as a metric label value.
std::string_view to_string(DeliveryOutcome outcome) noexcept;

// Called once per attempt (not for attempts aborted by stop), on the io_context thread.
using DeliveryObserver = std::function<void(const std::string& webhook, DeliveryOutcome,
                                            std::chrono::duration<double> latency_since_created)>;

// Delay before attempt number `attempts + 1` after `attempts` failed ones: 5 s, 30 s, 2 min,
// 5 min, 10 min, then 15 min, without jitter.
std::chrono::seconds backoff_delay(int attempts);

// Delay for a failed attempt: backoff_delay(attempts) × scale with ±10% jitter
// (jitter_fraction in [-0.1, 0.1]), raised to retry_after (capped at 1 h) when the receiver
// sent one; at least 1 s (the outbox schedules in whole seconds).
std::chrono::seconds retry_delay(int attempts, double jitter_fraction, std::chrono::seconds retry_after,
                                 double scale = 1.0);

// A Retry-After value (RFC 9110 §10.2.3) as a delay from now: delta-seconds, or an HTTP-date
// (IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT") minus now. 0 when absent, malformed or
// in the past.
std::chrono::seconds parse_retry_after(std::string_view value, core::Instant now = core::now());

// True for failures retried without marking the webhook unhealthy: 408, 425, 429, 5xx.
bool retryable_status(int status) noexcept;

// Delivers outbox rows, up to target.concurrency per webhook and k_max_in_flight_overall in
// all. All member functions except wake() must be
// called on the io_context's thread; wake() may be called from any thread. store, client and
// io must outlive the Deliverer and any coroutine it started (stop() and run the io_context
// to completion, or destroy the io_context, before destroying them).
class Deliverer {
public:
    Deliverer(asio::io_context& io, store::Store& store, http::Client& client, std::vector<WebhookTarget> targets,
              DeliveryEvents events);
    // Only the attempt hook.
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
    // retried at once; webhooks disabled by 410 are enabled again.
    void set_targets(std::vector<WebhookTarget> targets);
    // The loop exits and starts no new deliveries; attempts in flight finish (stop the
    // http::Client to abort them; aborted attempts leave their rows untouched). Idempotent.
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

}  // namespace feedwatch::deliver
