#include "deliver/deliverer.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <spdlog/spdlog.h>

#include "core/digest.hpp"
#include "core/log_field.hpp"
#include "deliver/signature.hpp"
#include "deliver/story_digest.hpp"

#ifndef FEEDWATCH_VERSION
#define FEEDWATCH_VERSION "0"
#endif

namespace feedwatch::deliver {
namespace {

using core::log_value;

// Longest sleep of the drain loop: bounds the effect of wall-clock jumps and the staleness of
// feedwatch_outbox_oldest_seconds.
constexpr std::chrono::seconds k_max_sleep{15};
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

std::chrono::seconds retry_delay(int attempts, double jitter_fraction, std::chrono::seconds retry_after, double scale)
{
    const double base = static_cast<double>(backoff_delay(attempts).count()) * std::clamp(scale, 0.0, 1.0e6);
    const double jitter = std::clamp(jitter_fraction, -0.1, 0.1);
    const std::chrono::seconds jittered{static_cast<std::int64_t>(std::llround(base * (1.0 + jitter)))};
    const std::chrono::seconds floor = std::clamp(retry_after, std::chrono::seconds{0}, k_max_retry_after);
    return std::max({jittered, floor, std::chrono::seconds{1}});
}

namespace {

// IMF-fixdate (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT". The obsolete RFC 850 and
// asctime forms are not accepted (senders MUST generate IMF-fixdate).
std::optional<core::Instant> parse_imf_fixdate(std::string_view text)
{
    static constexpr std::string_view k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    auto number = [&](std::size_t pos, std::size_t length) -> int {
        int value = 0;
        for (char digit : text.substr(pos, length)) {
            if (digit < '0' || digit > '9') {
                return -1;
            }
            value = value * 10 + (digit - '0');
        }
        return value;
    };
    const int day = number(5, 2);
    const int year = number(12, 4);
    const int hour = number(17, 2);
    const int minute = number(20, 2);
    const int second = number(23, 2);
    const auto month = std::find(std::begin(k_months), std::end(k_months), text.substr(8, 3));
    if (day < 1 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 ||
        month == std::end(k_months) || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' || text[19] != ':' ||
        text[22] != ':') {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month - std::begin(k_months) + 1)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    return core::Instant{std::chrono::sys_days{date}.time_since_epoch() + std::chrono::hours{hour} +
                         std::chrono::minutes{minute} + std::chrono::seconds{second}};
}

}  // namespace

std::chrono::seconds parse_retry_after(std::string_view value, core::Instant now)
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
    if (value.front() < '0' || value.front() > '9') {
        const std::optional<core::Instant> when = parse_imf_fixdate(value);
        if (!when || *when <= now) {
            return std::chrono::seconds{0};
        }
        return std::min<std::chrono::seconds>(*when - now, 10 * k_max_retry_after);
    }
    std::int64_t seconds = 0;
    for (char digit : value) {
        if (digit < '0' || digit > '9') {
            return std::chrono::seconds{0};
        }
        seconds = std::min<std::int64_t>(seconds * 10 + (digit - '0'), 10 * k_max_retry_after.count());
    }
    return std::chrono::seconds{seconds};
}

bool retryable_status(int status) noexcept
{
    return status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599);
}

struct Deliverer::Impl {
    Impl(asio::io_context& io_context, store::Store& outbox_store, http::Client& http_client,
         std::vector<WebhookTarget> webhook_targets, DeliveryEvents delivery_events)
        : io(io_context),
          store(outbox_store),
          client(http_client),
          targets(std::move(webhook_targets)),
          events(std::move(delivery_events)),
          timer(io_context),
          random(std::random_device{}())
    {
        warn_about_secrets();
    }

    // What the deliverer knows about one webhook between attempts (lost on restart).
    struct WebhookState {
        std::size_t in_flight = 0;
        std::deque<std::chrono::steady_clock::time_point> sent;  // request starts in the last minute
        WebhookHealth health = WebhookHealth::healthy;
    };

    asio::io_context& io;
    store::Store& store;
    http::Client& client;
    std::vector<WebhookTarget> targets;
    DeliveryEvents events;
    asio::steady_timer timer;
    std::mt19937_64 random;
    bool started = false;
    bool stopped = false;
    bool wake_pending = false;
    std::size_t in_flight_total = 0;
    std::set<std::string> in_flight;  // outbox keys being sent
    std::map<std::string, WebhookState> states;
    std::set<std::string> warned;  // unknown webhook names already logged

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
                    spdlog::warn("webhook secret is not usable; requests go out without its signature webhook={} "
                                 "secret={} hint={}",
                                 log_value(target.name), i + 1,
                                 log_value("put whsec_<base64> (from openssl rand -base64 32) in the secret file"));
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

    // Prunes the rate window; how many more requests max_per_minute allows now.
    std::size_t rate_room(const WebhookTarget& target, WebhookState& state, std::chrono::steady_clock::time_point now)
    {
        while (!state.sent.empty() && now - state.sent.front() >= std::chrono::minutes{1}) {
            state.sent.pop_front();
        }
        if (target.max_per_minute <= 0) {
            return SIZE_MAX;
        }
        const auto limit = static_cast<std::size_t>(target.max_per_minute);
        return state.sent.size() >= limit ? 0 : limit - state.sent.size();
    }

    void set_health(const std::string& webhook, WebhookState& state, WebhookHealth health)
    {
        if (state.health != health) {
            state.health = health;
            if (events.health) {
                events.health(webhook, health);
            }
        }
    }

    // Webhooks that answered 410 before a restart stay disabled while their URL is the same.
    void restore_gone()
    {
        auto gone = store.gone_webhooks();
        if (!gone) {
            spdlog::error("store read failed; webhooks that answered 410 may be tried again detail={}",
                          log_value(gone.error().detail));
            return;
        }
        for (const auto& [webhook, url] : *gone) {
            const WebhookTarget* target = find_target(webhook);
            if (target != nullptr && target->url == url) {
                spdlog::warn("webhook stays disabled: it answered 410 Gone before the restart webhook={} hint={}",
                             log_value(webhook),
                             log_value("fix its url, or reload (SIGHUP) to try it again; its alerts stay queued"));
                set_health(webhook, states[webhook], WebhookHealth::disabled);
            } else if (auto cleared = store.clear_webhook_gone(webhook); !cleared) {
                spdlog::error("store write failed webhook={} detail={}", log_value(webhook),
                              log_value(cleared.error().detail));
            }
        }
    }

    void report_queues() const
    {
        if (!events.queues) {
            return;
        }
        const core::Instant now = core::now();
        std::map<std::string, store::WebhookQueue> queues = store.outbox_queues();
        for (const WebhookTarget& target : targets) {
            queues.try_emplace(target.name);
        }
        std::vector<WebhookQueueStats> stats;
        for (const auto& [webhook, queue] : queues) {
            const double oldest =
                queue.pending == 0 ? 0.0 : std::max(0.0, static_cast<double>((now - queue.oldest_created).count()));
            stats.push_back(WebhookQueueStats{webhook, queue.pending, oldest});
        }
        events.queues(stats);
    }

    // Per webhook, for one dispatch pass: how many requests it may start and the rows taken.
    struct Plan {
        const WebhookTarget* target = nullptr;
        std::size_t requests = 0;  // allowed requests
        bool digest = false;       // rate-limited: the last request carries the rest as a digest
        std::vector<store::QueuedAlert> rows;
        std::size_t taken = 0;
        std::set<std::string> story_digests;  // digest keys taken: one request each, all their rows
    };

    // Starts deliveries for due rows; returns how long to sleep before looking again.
    std::chrono::seconds dispatch(const std::shared_ptr<Impl>& self)
    {
        const core::Instant now = core::now();
        const auto steady_now = std::chrono::steady_clock::now();
        std::map<std::string, Plan> plans;
        std::size_t overall_room = k_max_in_flight_overall - std::min(k_max_in_flight_overall, in_flight_total);
        std::optional<std::chrono::steady_clock::time_point> rate_wake;

        auto picked = store.outbox_pick([&](const std::string& key, const store::OutboxMeta& meta) {
            if (in_flight.contains(key) || meta.next_attempt > now) {
                return store::Store::Pick::skip;  // FIFO per webhook, except rows waiting for a retry
            }
            auto [found, first] = plans.try_emplace(meta.webhook);
            Plan& plan = found->second;
            if (first) {
                plan.target = find_target(meta.webhook);
                if (plan.target == nullptr) {
                    if (warned.insert(meta.webhook).second) {
                        spdlog::warn("alerts queued for a webhook that is not configured; they wait webhook={} hint={}",
                                     log_value(meta.webhook),
                                     log_value("add a [[webhook]] with this name; they are sent once it exists"));
                    }
                    return store::Store::Pick::skip;
                }
                WebhookState& state = states[meta.webhook];
                if (state.health == WebhookHealth::disabled) {
                    plan.target = nullptr;
                    return store::Store::Pick::skip;
                }
                const std::size_t concurrency = std::max<std::size_t>(1, plan.target->concurrency);
                const std::size_t by_concurrency = concurrency - std::min(concurrency, state.in_flight);
                const std::size_t by_rate = rate_room(*plan.target, state, steady_now);
                if (by_rate == 0 && !state.sent.empty()) {
                    const auto reopens = state.sent.front() + std::chrono::minutes{1};
                    rate_wake = rate_wake ? std::min(*rate_wake, reopens) : reopens;
                }
                plan.requests = std::min({by_concurrency, by_rate, overall_room});
                plan.digest = plan.target->max_per_minute > 0 && by_rate <= plan.requests;
                overall_room -= plan.requests;
            }
            if (plan.target == nullptr || plan.requests == 0) {
                return store::Store::Pick::skip;
            }
            if (!meta.digest.empty()) {
                // A story digest's rows are due together (same slot, rescheduled together):
                // all of them go in its one request.
                if (plan.story_digests.contains(meta.digest)) {
                    return store::Store::Pick::take;
                }
                if (plan.story_digests.size() + plan.taken >= plan.requests) {
                    return store::Store::Pick::skip;
                }
                plan.story_digests.insert(meta.digest);
                return store::Store::Pick::take;
            }
            const std::size_t requests = plan.requests - std::min(plan.requests, plan.story_digests.size());
            const std::size_t capacity =
                requests == 0 ? 0 : plan.digest ? requests - 1 + k_max_digest_alerts : requests;
            if (plan.taken >= capacity) {
                return store::Store::Pick::skip;
            }
            ++plan.taken;
            return store::Store::Pick::take;
        });
        if (!picked) {
            spdlog::error("store read failed; deliveries paused for a moment detail={} hint={}",
                          log_value(picked.error().detail),
                          log_value("check free space and permissions of [daemon] state_dir"));
            return k_store_error_sleep;
        }
        for (store::QueuedAlert& row : *picked) {
            const auto found = plans.find(row.entry.webhook);
            if (found != plans.end() && found->second.target != nullptr) {
                found->second.rows.push_back(std::move(row));
            }
        }
        for (auto& [webhook, plan] : plans) {
            if (plan.rows.empty()) {
                continue;
            }
            std::map<std::string, std::vector<store::QueuedAlert>> story_digests;
            std::erase_if(plan.rows, [&](store::QueuedAlert& row) {
                if (row.entry.digest.empty()) {
                    return false;
                }
                story_digests[row.entry.digest].push_back(std::move(row));
                return true;
            });
            for (auto& [key, rows] : story_digests) {
                launch(self, *plan.target, std::move(rows));
            }
            const std::size_t requests = plan.requests - std::min(plan.requests, story_digests.size());
            std::size_t singles = plan.rows.size();
            if (plan.digest && plan.rows.size() > requests) {
                singles = requests == 0 ? 0 : requests - 1;
            }
            std::vector<store::QueuedAlert> digest_rows;
            for (std::size_t i = 0; i < plan.rows.size(); ++i) {
                if (i < singles) {
                    launch(self, *plan.target, {std::move(plan.rows[i])});
                } else {
                    digest_rows.push_back(std::move(plan.rows[i]));
                }
            }
            if (!digest_rows.empty()) {
                launch(self, *plan.target, std::move(digest_rows));
            }
        }
        report_queues();

        // Sleep until the earliest future attempt of a row we could send, or until a rate
        // window reopens. Finishing deliveries wake the loop themselves.
        const auto next = store.outbox_next_attempt([&](const std::string& key, const store::OutboxMeta& meta) {
            if (in_flight.contains(key) || meta.next_attempt <= now) {
                return false;
            }
            const auto state = states.find(meta.webhook);
            return find_target(meta.webhook) != nullptr &&
                   (state == states.end() || state->second.health != WebhookHealth::disabled);
        });
        std::chrono::seconds wait = k_max_sleep;
        if (next) {
            wait = std::min(wait, std::max(std::chrono::seconds{1}, *next - now));
        }
        if (rate_wake) {
            const auto until = std::chrono::ceil<std::chrono::seconds>(*rate_wake - steady_now);
            wait = std::min(wait, std::max(std::chrono::seconds{1}, until));
        }
        return wait;
    }

    void launch(const std::shared_ptr<Impl>& self, const WebhookTarget& target, std::vector<store::QueuedAlert> rows)
    {
        WebhookState& state = states[target.name];
        state.in_flight += 1;
        state.sent.push_back(std::chrono::steady_clock::now());
        in_flight_total += 1;
        for (const store::QueuedAlert& row : rows) {
            in_flight.insert(row.key);
        }
        WebhookTarget target_copy = target;
        auto delivery = deliver(self, std::move(rows), std::move(target_copy));
        asio::co_spawn(io, std::move(delivery), asio::detached);
    }

    static asio::awaitable<void> drain_loop(std::shared_ptr<Impl> self)
    {
        while (!self->stopped) {
            self->wake_pending = false;
            std::chrono::seconds wait = k_store_error_sleep;
            try {
                wait = self->dispatch(self);
            } catch (const std::exception& error) {
                spdlog::error("delivery loop failed; retrying detail={}", log_value(error.what()));
            }
            if (self->stopped) {
                break;
            }
            if (self->wake_pending) {
                continue;
            }
            self->timer.expires_after(wait);
            boost::system::error_code ignored;  // operation_aborted on wake() and stop()
            co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
    }

    static asio::awaitable<void> deliver(std::shared_ptr<Impl> self, std::vector<store::QueuedAlert> rows,
                                         WebhookTarget target)
    {
        try {
            co_await self->attempt(rows, target);
        } catch (const std::exception& error) {
            spdlog::error("delivery failed; the alert stays queued webhook={} detail={}", log_value(target.name),
                          log_value(error.what()));
        }
        for (const store::QueuedAlert& row : rows) {
            self->in_flight.erase(row.key);
        }
        WebhookState& state = self->states[target.name];
        state.in_flight -= std::min<std::size_t>(1, state.in_flight);
        self->in_flight_total -= std::min<std::size_t>(1, self->in_flight_total);
        self->notify();
    }

    asio::awaitable<void> attempt(std::vector<store::QueuedAlert>& rows, const WebhookTarget& target)
    {
        const bool story_digest = !rows.front().entry.digest.empty();
        const bool digest = rows.size() > 1;
        std::string message_id;
        std::string body;
        if (story_digest) {
            std::vector<DigestItem> items;
            for (const store::QueuedAlert& row : rows) {
                items.push_back(DigestItem{row.entry.webhook_id, row.entry.body});
            }
            message_id = story_digest_id(target.name, rows.front().entry.digest);
            body = render_story_digest(target.format, items, core::now());
        } else if (digest) {
            std::vector<DigestItem> items;
            std::string ids;
            for (const store::QueuedAlert& row : rows) {
                items.push_back(DigestItem{row.entry.webhook_id, row.entry.body});
                ids += row.entry.webhook_id + "\n";
            }
            // Same members, same id: a retried digest is recognisable as such.
            message_id = "digest_" + core::sha256_hex(ids).substr(0, 32);
            body = render_digest(target.format, items, core::now());
        } else {
            message_id = rows.front().entry.webhook_id;
            body = render_for(target.format, rows.front().entry.body);
        }
        const std::int64_t timestamp = core::now().time_since_epoch().count();
        http::Request request;
        request.method = "POST";
        request.url = target.url;
        request.headers.push_back(http::Header{"Content-Type", "application/json"});
        request.headers.push_back(http::Header{"User-Agent", std::string(k_user_agent)});
        request.headers.push_back(http::Header{"webhook-id", message_id});
        request.headers.push_back(http::Header{"webhook-timestamp", std::to_string(timestamp)});
        if (!target.secrets.empty()) {
            std::string signature = signature_header(target.secrets, message_id, timestamp, body);
            if (!signature.empty()) {
                request.headers.push_back(http::Header{"webhook-signature", std::move(signature)});
            }
        }
        request.body = std::move(body);
        request.timeout = target.timeout;
        request.connect_timeout = std::min<std::chrono::milliseconds>(request.connect_timeout, target.timeout);
        request.max_body = k_max_response_body;
        request.max_redirects = 0;  // a redirect is an answer (3xx: retried), never followed
        request.private_networks = http::PrivateNetworks::allow;  // operator-configured endpoint

        const core::Result<http::Response> result = co_await client.perform(std::move(request));

        if (!result && result.error().code == core::ErrorCode::cancelled) {
            spdlog::info("delivery aborted by shutdown; the alert stays queued webhook={} webhook_id={}",
                         log_value(target.name), log_value(message_id));
            co_return;
        }
        WebhookState& state = states[target.name];
        const auto now_system = std::chrono::system_clock::now();
        if (result && result->status >= 200 && result->status < 300) {
            spdlog::info("alert delivered webhook={} webhook_id={} watchlist={} alerts={} outcome=ok status={} attempt={}",
                         log_value(target.name), log_value(message_id), log_value(rows.front().entry.watchlist),
                         rows.size(), result->status, rows.front().entry.attempts + 1);
            for (const store::QueuedAlert& row : rows) {
                if (auto deleted = store.outbox_delivered(row.key); !deleted) {
                    spdlog::error("store write failed; a delivered alert may be sent again (same id) webhook={} "
                                  "webhook_id={} detail={}",
                                  log_value(target.name), log_value(row.entry.webhook_id),
                                  log_value(deleted.error().detail));
                }
                observe(target.name, DeliveryOutcome::ok, now_system - row.entry.created);
            }
            set_health(target.name, state, WebhookHealth::healthy);
            co_return;
        }

        DeliveryOutcome outcome = DeliveryOutcome::http_error;
        std::chrono::seconds retry_after{0};
        if (result) {
            const int status = result->status;
            retry_after = parse_retry_after(result->header("retry-after"));
            if (status == 410) {
                spdlog::error("webhook answered 410 Gone; disabled, alerts kept webhook={} webhook_id={} outcome=http_error "
                              "status=410 queued={} hint={}",
                              log_value(target.name), log_value(message_id), store.outbox_queues()[target.name].pending,
                              log_value("fix the webhook url and reload (SIGHUP) or restart; queued alerts are then sent"));
                for (const store::QueuedAlert& row : rows) {
                    observe(target.name, outcome, now_system - row.entry.created);
                }
                set_health(target.name, state, WebhookHealth::disabled);
                if (auto marked = store.mark_webhook_gone(target.name, target.url); !marked) {
                    spdlog::error("store write failed; the webhook will be tried again after a restart webhook={} "
                                  "detail={}",
                                  log_value(target.name), log_value(marked.error().detail));
                }
                co_return;
            }
            if (retryable_status(status)) {
                spdlog::warn("delivery failed; retrying with backoff webhook={} webhook_id={} outcome=http_error status={} "
                             "attempt={}",
                             log_value(target.name), log_value(message_id), status, rows.front().entry.attempts + 1);
            } else {
                spdlog::error("webhook refused the alert; marked unhealthy, retrying webhook={} webhook_id={} "
                              "outcome=http_error status={} attempt={} hint={}",
                              log_value(target.name), log_value(message_id), status, rows.front().entry.attempts + 1,
                              log_value("check the webhook url, its secret and the format the receiver expects"));
                set_health(target.name, state, WebhookHealth::unhealthy);
            }
        } else {
            outcome = outcome_of(result.error().code);
            spdlog::warn("delivery failed; retrying with backoff webhook={} webhook_id={} outcome={} attempt={} detail={}",
                         log_value(target.name), log_value(message_id), to_string(outcome),
                         rows.front().entry.attempts + 1, log_value(without_urls(result.error().detail)));
        }
        const core::Instant now = core::now();
        // One draw for the whole request: rows sent together (a story digest) stay due together.
        const double jitter = std::uniform_real_distribution<double>(-0.1, 0.1)(random);
        for (store::QueuedAlert& row : rows) {
            model::OutboxEntry& entry = row.entry;
            entry.attempts += 1;
            observe(target.name, outcome, now_system - entry.created);
            if (now - entry.created >= target.give_up_after) {
                spdlog::error("giving up on an alert; moved to the dead letters webhook={} webhook_id={} watchlist={} "
                              "attempts={} created={} hint={}",
                              log_value(target.name), log_value(entry.webhook_id), log_value(entry.watchlist),
                              entry.attempts, core::format_rfc3339(entry.created),
                              log_value("fix the receiver, then: feedwatch alerts requeue --dead"));
                if (auto moved = store.outbox_dead(row.key, entry); !moved) {
                    spdlog::error("store write failed; the alert stays pending webhook={} webhook_id={} detail={}",
                                  log_value(target.name), log_value(entry.webhook_id), log_value(moved.error().detail));
                } else if (events.dead) {
                    events.dead(target.name);
                }
                continue;
            }
            entry.next_attempt = now + retry_delay(entry.attempts, jitter, retry_after, target.retry_scale);
            if (auto saved = store.outbox_reschedule(row.key, entry); !saved) {
                spdlog::error("store write failed; the alert is retried early webhook={} webhook_id={} detail={}",
                              log_value(target.name), log_value(entry.webhook_id), log_value(saved.error().detail));
            }
        }
    }

    void observe(const std::string& webhook, DeliveryOutcome outcome, std::chrono::duration<double> latency) const
    {
        if (events.attempt) {
            events.attempt(webhook, outcome, latency);
        }
    }
};

Deliverer::Deliverer(asio::io_context& io, store::Store& store, http::Client& client, std::vector<WebhookTarget> targets,
                     DeliveryEvents events)
    : m_impl(std::make_shared<Impl>(io, store, client, std::move(targets), std::move(events)))
{
}

Deliverer::Deliverer(asio::io_context& io, store::Store& store, http::Client& client, std::vector<WebhookTarget> targets,
                     DeliveryObserver observer)
    : Deliverer(io, store, client, std::move(targets), DeliveryEvents{std::move(observer), {}, {}, {}})
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
    m_impl->restore_gone();
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
    m_impl->warned.clear();
    for (auto& [webhook, state] : m_impl->states) {
        if (state.health == WebhookHealth::disabled) {
            if (auto cleared = m_impl->store.clear_webhook_gone(webhook); !cleared) {
                spdlog::error("store write failed webhook={} detail={}", log_value(webhook),
                              log_value(cleared.error().detail));
            }
        }
        m_impl->set_health(webhook, state, WebhookHealth::healthy);
    }
    m_impl->warn_about_secrets();
    m_impl->notify();
}

void Deliverer::stop()
{
    m_impl->stopped = true;
    m_impl->timer.cancel();
}

}  // namespace feedwatch::deliver
