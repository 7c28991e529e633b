#include "pipeline/app.hpp"

#include <algorithm>
#include <atomic>
#include <random>
#include <unordered_map>
#include <utility>

#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "core/log_field.hpp"
#include "deliver/alerts_api.hpp"
#include "deliver/deliverer.hpp"
#include "fetch/fetcher.hpp"
#include "http/client.hpp"
#include "match/matcher.hpp"
#include "pipeline/ingest.hpp"
#include "pipeline/poll_policy.hpp"
#include "pipeline/scheduler.hpp"
#include "serve/server.hpp"

namespace feedwatch::pipeline {
namespace {

using core::log_value;

constexpr std::string_view k_store_hint =
    "check free space and permissions of [daemon] state_dir; /healthz reports the store";

std::vector<deliver::WebhookTarget> targets_of(const config::Config& config)
{
    std::vector<deliver::WebhookTarget> targets;
    for (const auto& webhook : config.webhooks) {
        deliver::WebhookTarget target;
        target.name = webhook.name;
        target.url = webhook.url;
        target.secrets = webhook.secrets;
        target.timeout = webhook.timeout;
        target.format = deliver::parse_format(webhook.format).value_or(deliver::Format::json);
        target.concurrency = static_cast<std::size_t>(webhook.concurrency);
        target.max_per_minute = webhook.max_per_minute;
        target.give_up_after = webhook.give_up_after;
        target.retry_scale = webhook.test_retry_scale;
        targets.push_back(std::move(target));
    }
    return targets;
}

deliver::DeliveryEvents delivery_events(metrics::Metrics& metrics)
{
    deliver::DeliveryEvents events;
    events.attempt = [&metrics](const std::string& webhook, deliver::DeliveryOutcome outcome,
                                std::chrono::duration<double> latency) {
        metrics.delivery_finished(webhook, deliver::to_string(outcome), latency.count());
    };
    events.dead = [&metrics](const std::string& webhook) { metrics.alert_dead(webhook); };
    events.health = [&metrics](const std::string& webhook, deliver::WebhookHealth health) {
        metrics.set_webhook_health(webhook, health == deliver::WebhookHealth::healthy,
                                   health == deliver::WebhookHealth::disabled);
    };
    events.queues = [&metrics](const std::vector<deliver::WebhookQueueStats>& queues) {
        for (const auto& queue : queues) {
            metrics.set_outbox(queue.webhook, static_cast<double>(queue.pending), queue.oldest_seconds);
        }
    };
    return events;
}

// The configuration was validated when loaded, so every enabled query parses.
std::shared_ptr<const match::Matcher> matcher_of(const config::Config& config)
{
    return std::make_shared<const match::Matcher>(config::watchlist_specs(config));
}

SchedulerLimits limits_of(const config::FetchConfig& fetch)
{
    return SchedulerLimits{fetch.concurrency, fetch.connections_per_host};
}

// curl never queues feed fetches (the scheduler does); the headroom is for webhooks.
http::ClientOptions client_options_of(const config::FetchConfig& fetch)
{
    return http::ClientOptions{fetch.user_agent, static_cast<long>(fetch.concurrency) + 16,
                               static_cast<long>(fetch.connections_per_host) + 2};
}

// Overdue feeds start this far apart after a start, so a restart spreads its backlog (100,000
// feeds over 10 s) instead of queueing it all at once.
constexpr std::chrono::microseconds k_overdue_spacing{100};

enum class FeedHealth { active, backoff, disabled };

FeedHealth health_of(const store::FeedState& state)
{
    return state.disabled ? FeedHealth::disabled : state.consecutive_errors > 0 ? FeedHealth::backoff : FeedHealth::active;
}

}  // namespace

struct App::Impl {
    Impl(asio::io_context& io_context, config::Config initial, store::Store& store_ref, metrics::Metrics& metrics_ref)
        : io(io_context),
          config(std::move(initial)),
          store(store_ref),
          metrics(metrics_ref),
          client(io, client_options_of(config.fetch)),
          matcher(matcher_of(config)),
          story_updates(story_update_policies(config)),
          deliverer(io, store, client, targets_of(config), delivery_events(metrics)),
          scheduler(io, limits_of(config.fetch),
                    [this](std::string url) { return poll(std::move(url)); },
                    SchedulerObserver{[this](std::chrono::duration<double> lag) { metrics.scheduler_lag(lag.count()); },
                                      [this](std::size_t in_flight) {
                                          metrics.set_fetch_in_flight(static_cast<double>(in_flight));
                                      }})
    {
        index_feeds();
    }

    asio::io_context& io;
    config::Config config;
    store::Store& store;
    metrics::Metrics& metrics;
    http::Client client;
    std::shared_ptr<const match::Matcher> matcher;
    std::shared_ptr<const StoryUpdatePolicies> story_updates;  // per webhook, replaced on reload
    std::shared_ptr<StoryBook> stories;  // null when [story] enabled is false; opened by start()
    deliver::Deliverer deliverer;
    api::Api api{store, config};  // /, /api/v1/: page, listings, alert stream
    std::unique_ptr<serve::Server> server;
    Scheduler scheduler;
    std::unordered_map<std::string, const config::FeedConfig*> feed_index;  // into config.feeds
    std::unordered_map<std::string, FeedHealth> health;
    double health_counts[3] = {0, 0, 0};  // by FeedHealth
    std::minstd_rand random{std::random_device{}()};
    std::atomic<bool> stopped{false};  // read by the workers too
    // Ingest workers (pipeline/ingest.hpp). Two: parses of large feeds overlap without
    // taking both cores from the loop; also the bound on concurrent DOMs in memory.
    // Declared last: destroyed (joined) first, while everything a job touches still exists.
    asio::thread_pool workers{2};

    serve::Response handle(const serve::Request& request) const;
    void index_feeds();
    // Adds the configured feeds missing from the scheduler, at their stored next-poll times.
    void schedule_feeds();
    asio::awaitable<std::optional<std::chrono::milliseconds>> poll(std::string url);
    // fetch -> parse -> dedupe -> match -> commit; returns the delay until the next poll, or
    // nullopt when the feed is disabled.
    asio::awaitable<std::optional<Seconds>> poll_feed(const config::FeedConfig& feed, store::FeedState state);
    // Applies the plan to state (next poll, interval, disabled) and updates feedwatch_feeds.
    PollPlan plan(const config::FeedConfig& feed, store::FeedState& state, PollFacts facts);
    PollBounds bounds_of(const config::FeedConfig& feed) const;
    void set_health(const std::string& url, FeedHealth value);
    void publish_health();
    std::optional<Seconds> save_state(const std::string& url, store::FeedState& state, PollPlan plan);
};

serve::Response App::Impl::handle(const serve::Request& request) const
{
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (path == "/metrics") {
        return serve::Response{200, "text/plain; version=0.0.4; charset=utf-8", {}, metrics.render()};
    }
    if (path == "/healthz") {
        const bool ok = store.healthy();
        return serve::Response{ok ? 200 : 503, "text/plain; charset=utf-8", {}, ok ? "ok\n" : "store unavailable\n"};
    }
    if (path == "/") {
        return serve::Response{200, "text/plain; charset=utf-8", {},
                               "feedwatch " FEEDWATCH_VERSION "\n/metrics  Prometheus metrics\n/healthz  health\n"};
    }
    return serve::Response{404, "text/plain; charset=utf-8", {}, "not found\n"};
}

void App::Impl::index_feeds()
{
    feed_index.clear();
    for (const auto& feed : config.feeds) {
        feed_index.emplace(feed.url, &feed);
    }
}

void App::Impl::schedule_feeds()
{
    const core::Instant now = core::now();
    std::size_t overdue = 0;
    for (const auto& feed : config.feeds) {
        if (scheduler.contains(feed.url)) {
            continue;
        }
        std::optional<core::Instant> next_poll;
        FeedHealth value = FeedHealth::active;
        auto known = store.feed_state(feed.url);
        if (!known) {
            spdlog::error("store read failed; polling the feed as new feed_url={} detail={} hint={}", log_value(feed.url),
                          log_value(known.error().detail), log_value(k_store_hint));
        } else if (*known) {
            next_poll = (*known)->next_poll;
            value = health_of(**known);
        }
        if (health.emplace(feed.url, value).second) {
            health_counts[static_cast<int>(value)] += 1;
        }
        const std::size_t slot = is_due(next_poll, now) ? overdue++ : 0;
        scheduler.add(feed.url, first_delay(next_poll, now, slot, k_overdue_spacing, config.fetch.max_interval));
    }
    publish_health();
}

void App::Impl::set_health(const std::string& url, FeedHealth value)
{
    auto found = health.find(url);
    if (found != health.end() && found->second != value) {
        health_counts[static_cast<int>(found->second)] -= 1;
        health_counts[static_cast<int>(value)] += 1;
        found->second = value;
        publish_health();
    }
}

void App::Impl::publish_health()
{
    metrics.set_feeds("active", health_counts[0]);
    metrics.set_feeds("backoff", health_counts[1]);
    metrics.set_feeds("disabled", health_counts[2]);
}

PollPlan App::Impl::plan(const config::FeedConfig& feed, store::FeedState& state, PollFacts facts)
{
    const PollBounds bounds = bounds_of(feed);
    facts.consecutive_errors = state.consecutive_errors;
    facts.previous_interval = Seconds{state.interval_seconds};
    const PollPlan next = plan_next_poll(bounds, facts, std::uniform_real_distribution<double>(0.0, 1.0)(random));
    state.interval_seconds = next.interval.count();
    state.next_poll = core::now() + next.delay;
    state.disabled = next.disabled;
    return next;
}

PollBounds App::Impl::bounds_of(const config::FeedConfig& feed) const
{
    PollBounds bounds;
    bounds.interval = feed.interval.value_or(config.fetch.interval);
    bounds.min_interval = config.fetch.min_interval;
    bounds.max_interval = config.fetch.max_interval;
    bounds.fixed = feed.interval.has_value();
    return bounds;
}

std::optional<Seconds> App::Impl::save_state(const std::string& url, store::FeedState& state, PollPlan next)
{
    if (auto saved = store.save_feed_state(url, state); !saved) {
        spdlog::error("store write failed; the feed's validators are not saved feed_url={} detail={} hint={}",
                      log_value(url), log_value(saved.error().detail), log_value(k_store_hint));
    }
    set_health(url, health_of(state));
    if (next.disabled) {
        return std::nullopt;
    }
    return next.delay;
}

asio::awaitable<std::optional<std::chrono::milliseconds>> App::Impl::poll(std::string url)
{
    const auto found = feed_index.find(url);
    if (found == feed_index.end() || stopped) {
        co_return std::nullopt;
    }
    const config::FeedConfig feed = *found->second;  // a reload may replace the config meanwhile
    auto known = store.feed_state(feed.url);
    if (!known) {
        spdlog::error("store read failed; poll skipped feed_url={} detail={} hint={}", log_value(feed.url),
                      log_value(known.error().detail), log_value(k_store_hint));
        co_return std::chrono::milliseconds{config.fetch.min_interval};
    }
    store::FeedState state = known->value_or(store::FeedState{});
    if (state.disabled) {
        set_health(feed.url, FeedHealth::disabled);
        co_return std::nullopt;
    }
    const std::optional<Seconds> delay = co_await poll_feed(feed, std::move(state));
    if (!delay) {
        co_return std::nullopt;
    }
    co_return std::chrono::milliseconds{*delay};
}

asio::awaitable<std::optional<Seconds>> App::Impl::poll_feed(const config::FeedConfig& feed, store::FeedState state)
{
    const Seconds retry_soon = std::max(config.fetch.min_interval, Seconds{60});
    fetch::FeedRequest request;
    request.url = state.moved_to.empty() ? feed.url : state.moved_to;
    request.etag = state.etag;
    request.last_modified = state.last_modified;
    request.timeout = config.fetch.timeout;
    request.max_body = config.fetch.max_body;
    request.private_networks = feed.allow_private_networks.value_or(config.fetch.allow_private_networks)
                                   ? http::PrivateNetworks::allow
                                   : http::PrivateNetworks::refuse;
    fetch::FeedResponse response = co_await fetch::fetch_feed(client, std::move(request));
    if (stopped) {
        co_return std::nullopt;
    }
    const double seconds = response.elapsed.count();
    state.last_outcome = fetch::to_string(response.outcome);
    state.last_status = response.status;
    state.last_poll = core::now();
    if (!response.moved_to.empty() && response.moved_to != state.moved_to) {
        spdlog::info("feed moved permanently; polling the new URL from now on feed_url={} moved_to={} hint={}",
                     log_value(feed.url), log_value(response.moved_to),
                     log_value("replace the url in the configuration with moved_to"));
        state.moved_to = response.moved_to;
    }

    if (response.outcome == fetch::Outcome::not_modified) {
        metrics.fetch_finished("not_modified", seconds, 0);
        state.consecutive_errors = 0;
        state.last_success = core::now();
        PollFacts facts;
        facts.result = PollResult::not_modified;
        facts.fresh_for = response.fresh_for;
        co_return save_state(feed.url, state, plan(feed, state, facts));
    }
    if (response.outcome != fetch::Outcome::ok) {
        metrics.fetch_finished(fetch::to_string(response.outcome), seconds, 0);
        PollFacts facts;
        if (response.status == 410) {
            spdlog::warn("feed answered 410 Gone; not polled any more feed_url={} outcome=gone status=410 hint={}",
                         log_value(feed.url), log_value("remove the feed or change its url in the configuration"));
            facts.result = PollResult::gone;
        } else {
            spdlog::warn("fetch failed; retrying with backoff feed_url={} outcome={} status={} errors={} detail={}",
                         log_value(feed.url), fetch::to_string(response.outcome), response.status,
                         state.consecutive_errors + 1, log_value(response.detail));
            facts.result = PollResult::failed;
            facts.retry_after = response.retry_after;
            ++state.consecutive_errors;
        }
        co_return save_state(feed.url, state, plan(feed, state, facts));
    }

    const auto body_bytes = static_cast<double>(response.body.size());
    IngestJob job;
    job.feed = feed;
    job.bounds = bounds_of(feed);
    job.jitter = std::uniform_real_distribution<double>(0.0, 1.0)(random);
    job.state = std::move(state);
    job.response = std::move(response);
    job.matcher = matcher;
    job.stories = stories;
    job.story_updates = story_updates;
    // Parsing, dedupe lookups, matching and the write run on a worker: the loop thread only
    // moves bytes, so one large feed or a slow disk never delays another feed's alert.
    // A job still queued at shutdown is dropped unread: nothing of it is stored, so the next
    // start fetches the feed again, and SIGTERM does not wait for a backlog of parses.
    auto work = [&store = store, &stopped = stopped, job = std::move(job)]() mutable -> asio::awaitable<IngestResult> {
        if (stopped) {
            co_return IngestResult{};
        }
        co_return ingest(store, std::move(job));
    };
    const IngestResult result = co_await asio::co_spawn(workers.get_executor(), std::move(work), asio::use_awaitable);
    if (stopped) {
        co_return std::nullopt;
    }
    if (result.outcome == IngestOutcome::parse_error) {
        metrics.fetch_finished("parse_error", seconds, body_bytes);
        spdlog::warn("not a feed; retrying with backoff feed_url={} outcome=parse_error detail={} hint={}",
                     log_value(feed.url), log_value(result.detail),
                     log_value("check that the url serves RSS, Atom or JSON Feed (feedwatch parse URL --json)"));
        set_health(feed.url, health_of(result.state));
        co_return result.plan.delay;
    }
    metrics.fetch_finished("ok", seconds, body_bytes);
    for (const auto& error : result.recovered) {
        spdlog::warn("feed is malformed; read what could be read feed_url={} detail={}", log_value(feed.url),
                     log_value(error));
    }
    if (result.outcome == IngestOutcome::store_error) {
        spdlog::error("store write failed; the feed is fetched again soon feed_url={} detail={} hint={}",
                      log_value(feed.url), log_value(result.detail), log_value(k_store_hint));
        co_return retry_soon;
    }
    set_health(feed.url, health_of(result.state));
    metrics.articles_new(static_cast<double>(result.new_articles));
    metrics.articles_duplicate(static_cast<double>(result.duplicates));
    for (const auto& [watchlist, count] : result.matches) {
        for (std::size_t i = 0; i < count; ++i) {
            metrics.matched(watchlist);
        }
    }
    for (const auto& watchlist : result.alerts) {
        metrics.alert_created(watchlist);
    }
    if (result.open_stories) {
        metrics.story_assigned("new", static_cast<double>(result.stories_started));
        metrics.story_assigned("joined", static_cast<double>(result.stories_joined));
        metrics.set_stories_open(static_cast<double>(*result.open_stories));
    }
    for (const auto& [watchlist, count] : result.story_updates) {
        metrics.story_updates(watchlist, static_cast<double>(count));
    }
    if (result.new_articles > 0) {
        spdlog::info("new articles feed_url={} new={} seen={} alerts={}", log_value(feed.url), result.new_articles,
                     result.duplicates, result.alerts.size());
    }
    if (!result.alerts.empty()) {
        deliverer.wake();  // it reports feedwatch_outbox_pending
        api.publish_new_alerts();
    }
    co_return result.plan.delay;
}

App::App(asio::io_context& io, config::Config config, store::Store& store, metrics::Metrics& metrics)
    : m_impl(std::make_unique<Impl>(io, std::move(config), store, metrics))
{
}

App::~App() { stop(); }

core::Result<void> App::start()
{
    auto server = serve::Server::listen(m_impl->io, m_impl->config.daemon.listen,
                                        [impl = m_impl.get()](const serve::Request& request) {
                                            // The queue view (?state=) and requeue belong to deliver;
                                            // the alert history (issue 7 shape) to api.
                                            if (deliver::is_alerts_api(request.target) &&
                                                (request.method != "GET" ||
                                                 request.target.find("state=") != std::string::npos)) {
                                                if (!impl->api.authorized(request)) {
                                                    return serve::Response{401, "application/json", {},
                                                                           "{\"error\":\"missing or wrong bearer token\"}\n"};
                                                }
                                                auto answer = deliver::handle_alerts_api(impl->store, impl->deliverer,
                                                                                         request.method, request.target,
                                                                                         request.body);
                                                serve::Response response;
                                                response.status = answer.status;
                                                response.content_type = "application/json";
                                                response.body = std::move(answer.body);
                                                return response;
                                            }
                                            if (api::Api::handles(request.target)) {
                                                return impl->api.handle(request);
                                            }
                                            return impl->handle(request);
                                        });
    if (!server) {
        return core::fail(server.error().code, "listen " + m_impl->config.daemon.listen + ": " + server.error().detail);
    }
    m_impl->server = std::move(*server);
    if (const config::StoryConfig& story = m_impl->config.story; story.enabled) {
        story::Options options;
        options.window = story.window;
        options.threshold = story.threshold.value_or(story::k_default_threshold);
        auto book = StoryBook::open(m_impl->store, options);
        if (!book) {
            return core::fail(book.error().code, "story state: " + book.error().detail);
        }
        const std::size_t open_stories = (*book)->lock().open_stories();
        spdlog::info("stories restored open={} replayed={}", open_stories, (*book)->replayed());
        m_impl->metrics.set_stories_open(static_cast<double>(open_stories));
        m_impl->stories = std::move(*book);
    }
    m_impl->deliverer.start();
    m_impl->schedule_feeds();
    return {};
}

void App::reload(config::Config config)
{
    if (config.story.enabled != m_impl->config.story.enabled || config.story.window != m_impl->config.story.window ||
        config.story.threshold != m_impl->config.story.threshold) {
        spdlog::warn("reload: [story] changes are ignored until a restart hint=\"restart feedwatchd to apply them\"");
        config.story = m_impl->config.story;
    }
    if (config.daemon.listen != m_impl->config.daemon.listen || config.daemon.state_dir != m_impl->config.daemon.state_dir) {
        spdlog::warn("reload: [daemon] listen and state_dir changes are ignored until a restart "
                     "hint=\"restart feedwatchd to apply them\"");
        config.daemon = m_impl->config.daemon;
    }
    std::unordered_map<std::string, bool> wanted;
    for (const auto& feed : config.feeds) {
        wanted[feed.url] = true;
    }
    for (const auto& feed : m_impl->config.feeds) {
        if (wanted.count(feed.url) == 0) {
            m_impl->scheduler.remove(feed.url);
            if (const auto found = m_impl->health.find(feed.url); found != m_impl->health.end()) {
                m_impl->health_counts[static_cast<int>(found->second)] -= 1;
                m_impl->health.erase(found);
            }
        }
    }
    m_impl->config = std::move(config);
    m_impl->index_feeds();
    m_impl->scheduler.set_limits(limits_of(m_impl->config.fetch));
    m_impl->schedule_feeds();
    m_impl->matcher = matcher_of(m_impl->config);
    m_impl->story_updates = story_update_policies(m_impl->config);
    m_impl->deliverer.set_targets(targets_of(m_impl->config));
    m_impl->api.set_config(m_impl->config);
    spdlog::info("configuration reloaded feeds={} watchlists={} webhooks={}", m_impl->config.feeds.size(),
                 m_impl->matcher->size(), m_impl->config.webhooks.size());
}

void App::stop()
{
    if (m_impl->stopped) {
        return;
    }
    m_impl->stopped = true;
    m_impl->scheduler.stop();
    m_impl->deliverer.stop();
    m_impl->api.stop();
    if (m_impl->server) {
        m_impl->server->stop();
    }
    m_impl->client.stop();
    m_impl->workers.join();  // jobs in flight finish their writes; their results are dropped
    if (m_impl->stories) {
        // After the workers: no commit runs, so the snapshot covers every stored article.
        if (auto saved = m_impl->stories->save(); !saved) {
            spdlog::error("story snapshot not saved; the next start replays more articles detail={}",
                          log_value(saved.error().detail));
        }
    }
}

bool App::healthy() const { return m_impl->store.healthy(); }

std::uint16_t App::port() const { return m_impl->server ? m_impl->server->port() : 0; }

}  // namespace feedwatch::pipeline
