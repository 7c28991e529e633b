#include "deliver/deliverer.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <random>
#include <set>

#include <spdlog/spdlog.h>

#include "deliver/signature.hpp"

#ifndef FEEDWATCH_VERSION
#define FEEDWATCH_VERSION "0"
#endif

namespace feedwatch::deliver {
namespace {

constexpr std::size_t k_max_in_flight = 4;
constexpr std::size_t k_due_batch = 64;
// Longest sleep of the drain loop: bounds the effect of wall-clock jumps.
constexpr std::chrono::seconds k_max_sleep{60};
constexpr std::chrono::seconds k_store_error_sleep{5};
constexpr std::chrono::seconds k_max_retry_after{3600};
constexpr std::uint64_t k_max_response_body = 64u << 10;  // the body is not used
constexpr std::string_view k_user_agent = "feedwatch/" FEEDWATCH_VERSION " (+https://github.com/feedwatch)";

// Webhook URLs often carry a token in their path (Slack, Teams): keep them out of logs.
std::string without_urls(std::string_view text)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find(' ', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view word = text.substr(pos, end - pos);
        out.append(word.find("://") == std::string_view::npos ? word : std::string_view("<webhook url>"));
        if (end < text.size()) {
            out.push_back(' ');
        }
        pos = end + 1;
    }
    return out;
}

DeliveryOutcome outcome_of(core::ErrorCode code)
{
    return code == core::ErrorCode::timeout ? DeliveryOutcome::timeout : DeliveryOutcome::network_error;
}

}  // namespace

std::string_view to_string(DeliveryOutcome outcome) noexcept
{
    switch (outcome) {
    case DeliveryOutcome::ok:
        return "ok";
    case DeliveryOutcome::http_error:
        return "http_error";
    case DeliveryOutcome::network_error:
        return "network_error";
    case DeliveryOutcome::timeout:
        return "timeout";
    }
    return "unknown";
}

std::chrono::seconds backoff_delay(int attempts)
{
    using namespace std::chrono_literals;
    static constexpr std::chrono::seconds k_schedule[] = {5s, 30s, 2min, 5min, 10min, 15min};
    constexpr int k_last = static_cast<int>(std::size(k_schedule)) - 1;
    const int index = std::clamp(attempts - 1, 0, k_last);
    return k_schedule[index];
}

std::chrono::seconds retry_delay(int attempts, double jitter_fraction, std::chrono::seconds retry_after)
{
    const double base = static_cast<double>(backoff_delay(attempts).count());
    const double jitter = std::clamp(jitter_fraction, -0.1, 0.1);
    const std::chrono::seconds jittered{static_cast<std::int64_t>(std::llround(base * (1.0 + jitter)))};
    const std::chrono::seconds floor = std::clamp(retry_after, std::chrono::seconds{0}, k_max_retry_after);
    return std::max({jittered, floor, std::chrono::seconds{1}});
}

std::chrono::seconds parse_retry_after(std::string_view value)
{
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
    }
    if (value.empty()) {
        return std::chrono::seconds{0};
    }
    std::int64_t seconds = 0;
    for (char digit : value) {
        if (digit < '0' || digit > '9') {
            return std::chrono::seconds{0};  // HTTP-date form: not supported, backoff applies
        }
        seconds = std::min<std::int64_t>(seconds * 10 + (digit - '0'), 10 * k_max_retry_after.count());
    }
    return std::chrono::seconds{seconds};
}

struct Deliverer::Impl {
    Impl(asio::io_context& io_context, store::Store& outbox_store, http::Client& http_client,
         std::vector<WebhookTarget> webhook_targets, DeliveryObserver delivery_observer)
        : io(io_context),
          store(outbox_store),
          client(http_client),
          targets(std::move(webhook_targets)),
          observer(std::move(delivery_observer)),
          timer(io_context),
          random(std::random_device{}())
    {
        warn_about_secrets();
    }

    asio::io_context& io;
    store::Store& store;
    http::Client& client;
    std::vector<WebhookTarget> targets;
    DeliveryObserver observer;
    asio::steady_timer timer;
    std::mt19937_64 random;
    bool started = false;
    bool stopped = false;
    bool wake_pending = false;
    std::set<std::string> in_flight;  // outbox keys being sent
    std::set<std::string> parked;     // outbox keys whose webhook is not configured
    std::set<std::string> warned;     // unknown webhook names already logged

    void notify()
    {
        if (stopped) {
            return;
        }
        wake_pending = true;
        timer.cancel();
    }

    void warn_about_secrets() const
    {
        for (const WebhookTarget& target : targets) {
            for (std::size_t i = 0; i < target.secrets.size(); ++i) {
                if (!decode_secret(target.secrets[i])) {
                    spdlog::warn("webhook {}: secret #{} is not usable (empty, or whsec_ with invalid base64); "
                                 "it will not sign",
                                 target.name, i + 1);
                }
            }
        }
    }

    const WebhookTarget* find_target(const std::string& name) const
    {
        const auto found =
            std::find_if(targets.begin(), targets.end(), [&](const WebhookTarget& target) { return target.name == name; });
        return found == targets.end() ? nullptr : &*found;
    }

    bool excluded(const std::string& key) const { return in_flight.contains(key) || parked.contains(key); }

    // Starts deliveries for due rows; returns how long to sleep before looking again.
    std::chrono::seconds dispatch(const std::shared_ptr<Impl>& self)
    {
        const core::Instant now = core::now();
        auto due = store.outbox_due(now, k_due_batch + in_flight.size() + parked.size());
        if (!due) {
            spdlog::error("deliver: cannot read the outbox: {}", due.error().detail);
            return k_store_error_sleep;
        }
        for (store::QueuedAlert& row : *due) {
            if (excluded(row.key)) {
                continue;
            }
            if (in_flight.size() >= k_max_in_flight) {
                return k_max_sleep;  // a finishing delivery wakes the loop
            }
            const WebhookTarget* target = find_target(row.entry.webhook);
            if (target == nullptr) {
                parked.insert(row.key);
                if (warned.insert(row.entry.webhook).second) {
                    spdlog::warn("webhook {}: not configured; its alerts stay queued until it is", row.entry.webhook);
                }
                continue;
            }
            in_flight.insert(row.key);
            WebhookTarget target_copy = *target;
            auto delivery = deliver(self, std::move(row), std::move(target_copy));
            asio::co_spawn(io, std::move(delivery), asio::detached);
        }
        if (!in_flight.empty() && in_flight.size() >= k_max_in_flight) {
            return k_max_sleep;
        }
        // Sleep until the earliest future attempt of a row we can send.
        auto all = store.outbox_all();
        if (!all) {
            spdlog::error("deliver: cannot read the outbox: {}", all.error().detail);
            return k_store_error_sleep;
        }
        std::chrono::seconds wait = k_max_sleep;
        for (const store::QueuedAlert& row : *all) {
            if (!excluded(row.key)) {
                wait = std::min(wait, std::max(std::chrono::seconds{0}, row.entry.next_attempt - now));
            }
        }
        return wait;
    }

    static asio::awaitable<void> drain_loop(std::shared_ptr<Impl> self)
    {
        while (!self->stopped) {
            self->wake_pending = false;
            std::chrono::seconds wait = k_store_error_sleep;
            try {
                wait = self->dispatch(self);
            } catch (const std::exception& error) {
                spdlog::error("deliver: drain failed: {}", error.what());
            }
            if (self->stopped) {
                break;
            }
            if (self->wake_pending || wait <= std::chrono::seconds{0}) {
                continue;
            }
            self->timer.expires_after(wait);
            boost::system::error_code ignored;  // operation_aborted on wake() and stop()
            co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
    }

    static asio::awaitable<void> deliver(std::shared_ptr<Impl> self, store::QueuedAlert row, WebhookTarget target)
    {
        try {
            co_await self->attempt(row, target);
        } catch (const std::exception& error) {
            spdlog::error("webhook {}: delivery failed: {}", target.name, error.what());
        }
        self->in_flight.erase(row.key);
        self->notify();
    }

    asio::awaitable<void> attempt(store::QueuedAlert& row, const WebhookTarget& target)
    {
        model::OutboxEntry& entry = row.entry;
        const std::int64_t timestamp = core::now().time_since_epoch().count();
        http::Request request;
        request.method = "POST";
        request.url = target.url;
        request.body = entry.body;
        request.headers.push_back(http::Header{"Content-Type", "application/json"});
        request.headers.push_back(http::Header{"User-Agent", std::string(k_user_agent)});
        request.headers.push_back(http::Header{"webhook-id", entry.webhook_id});
        request.headers.push_back(http::Header{"webhook-timestamp", std::to_string(timestamp)});
        if (!target.secrets.empty()) {
            std::string signature = signature_header(target.secrets, entry.webhook_id, timestamp, entry.body);
            if (!signature.empty()) {
                request.headers.push_back(http::Header{"webhook-signature", std::move(signature)});
            }
        }
        request.timeout = target.timeout;
        request.connect_timeout = std::min<std::chrono::milliseconds>(request.connect_timeout, target.timeout);
        request.max_body = k_max_response_body;
        request.max_redirects = 0;  // a redirect is an answer (3xx: retried), never followed
        request.private_networks = http::PrivateNetworks::allow;  // operator-configured endpoint

        const core::Result<http::Response> result = co_await client.perform(std::move(request));

        if (!result && result.error().code == core::ErrorCode::cancelled) {
            spdlog::info("webhook {}: attempt for {} aborted; it stays queued", target.name, entry.webhook_id);
            co_return;
        }
        const std::chrono::duration<double> latency = std::chrono::system_clock::now() - entry.created;
        if (result && result->status >= 200 && result->status < 300) {
            spdlog::info("webhook {}: delivered {} (HTTP {}, attempt {})", target.name, entry.webhook_id,
                         result->status, entry.attempts + 1);
            if (auto deleted = store.outbox_delivered(row.key); !deleted) {
                spdlog::error("webhook {}: delivered {} but cannot remove it from the outbox: {}", target.name,
                              entry.webhook_id, deleted.error().detail);
            }
            observe(target.name, DeliveryOutcome::ok, latency);
            co_return;
        }

        DeliveryOutcome outcome = DeliveryOutcome::http_error;
        std::chrono::seconds retry_after{0};
        entry.attempts += 1;
        if (result) {
            retry_after = parse_retry_after(result->header("retry-after"));
            spdlog::warn("webhook {}: {} answered HTTP {} (attempt {})", target.name, entry.webhook_id, result->status,
                         entry.attempts);
        } else {
            outcome = outcome_of(result.error().code);
            spdlog::warn("webhook {}: {} failed: {}: {} (attempt {})", target.name, entry.webhook_id,
                         core::to_string(result.error().code), without_urls(result.error().detail), entry.attempts);
        }
        std::uniform_real_distribution<double> jitter(-0.1, 0.1);
        const std::chrono::seconds delay = retry_delay(entry.attempts, jitter(random), retry_after);
        entry.next_attempt = core::now() + delay;
        if (auto saved = store.outbox_reschedule(row.key, entry); !saved) {
            spdlog::error("webhook {}: cannot reschedule {}: {}", target.name, entry.webhook_id, saved.error().detail);
        }
        observe(target.name, outcome, latency);
    }

    void observe(const std::string& webhook, DeliveryOutcome outcome, std::chrono::duration<double> latency) const
    {
        if (observer) {
            observer(webhook, outcome, latency);
        }
    }
};

Deliverer::Deliverer(asio::io_context& io, store::Store& store, http::Client& client, std::vector<WebhookTarget> targets,
                     DeliveryObserver observer)
    : m_impl(std::make_shared<Impl>(io, store, client, std::move(targets), std::move(observer)))
{
}

Deliverer::~Deliverer()
{
    stop();
}

void Deliverer::start()
{
    if (m_impl->started || m_impl->stopped) {
        return;
    }
    m_impl->started = true;
    auto loop = Impl::drain_loop(m_impl);
    asio::co_spawn(m_impl->io, std::move(loop), asio::detached);
}

void Deliverer::wake()
{
    asio::post(m_impl->io, [weak = std::weak_ptr<Impl>(m_impl)] {
        if (auto impl = weak.lock()) {
            impl->notify();
        }
    });
}

void Deliverer::set_targets(std::vector<WebhookTarget> targets)
{
    m_impl->targets = std::move(targets);
    m_impl->parked.clear();
    m_impl->warned.clear();
    m_impl->warn_about_secrets();
    m_impl->notify();
}

void Deliverer::stop()
{
    m_impl->stopped = true;
    m_impl->timer.cancel();
}

}  // namespace feedwatch::deliver
