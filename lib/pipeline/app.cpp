#include "pipeline/app.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <spdlog/spdlog.h>

#include "deliver/alerts_api.hpp"
#include "deliver/deliverer.hpp"
#include "deliver/payload.hpp"
#include "fetch/fetcher.hpp"
#include "http/client.hpp"
#include "match/matcher.hpp"
#include "model/ids.hpp"
#include "parse/parser.hpp"
#include "serve/server.hpp"

namespace feedwatch::pipeline {
namespace {

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

// One feed's poll loop. Stopping closes the timer; the loop checks `stopped` after each wait.
struct FeedTask {
    FeedTask(asio::io_context& io, config::FeedConfig feed_config) : feed(std::move(feed_config)), timer(io) {}
    config::FeedConfig feed;
    asio::steady_timer timer;
    bool stopped = false;
};

}  // namespace

struct App::Impl {
    Impl(asio::io_context& io_context, config::Config initial, store::Store& store_ref, metrics::Metrics& metrics_ref)
        : io(io_context),
          config(std::move(initial)),
          store(store_ref),
          metrics(metrics_ref),
          client(io, http::ClientOptions{config.fetch.user_agent, 64, 2}),
          matcher(matcher_of(config)),
          deliverer(io, store, client, targets_of(config), delivery_events(metrics))
    {
    }

    asio::io_context& io;
    config::Config config;
    store::Store& store;
    metrics::Metrics& metrics;
    http::Client client;
    std::shared_ptr<const match::Matcher> matcher;
    deliver::Deliverer deliverer;
    std::unique_ptr<serve::Server> server;
    std::map<std::string, std::shared_ptr<FeedTask>> feeds;
    bool stopped = false;

    serve::Response handle(const serve::Request& request) const;
    void start_feed(const config::FeedConfig& feed, std::chrono::milliseconds first_delay);
    asio::awaitable<void> feed_loop(std::shared_ptr<FeedTask> task, std::chrono::milliseconds first_delay);
    asio::awaitable<void> poll_feed(const config::FeedConfig& feed);
    void record_failure(const std::string& url, store::FeedState state);
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

void App::Impl::start_feed(const config::FeedConfig& feed, std::chrono::milliseconds first_delay)
{
    auto task = std::make_shared<FeedTask>(io, feed);
    feeds[feed.url] = task;
    asio::co_spawn(io, feed_loop(task, first_delay), asio::detached);
}

asio::awaitable<void> App::Impl::feed_loop(std::shared_ptr<FeedTask> task, std::chrono::milliseconds first_delay)
{
    boost::system::error_code error;
    task->timer.expires_after(first_delay);
    co_await task->timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    while (!task->stopped) {
        co_await poll_feed(task->feed);
        if (task->stopped) {
            break;
        }
        task->timer.expires_after(task->feed.interval.value_or(config.fetch.interval));
        co_await task->timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    }
}

void App::Impl::record_failure(const std::string& url, store::FeedState state)
{
    ++state.consecutive_errors;
    if (auto saved = store.save_feed_state(url, state); !saved) {
        spdlog::error("store: saving state of {}: {}", url, saved.error().detail);
    }
}

asio::awaitable<void> App::Impl::poll_feed(const config::FeedConfig& feed)
{
    auto known = store.feed_state(feed.url);
    if (!known) {
        spdlog::error("store: reading state of {}: {}", feed.url, known.error().detail);
        co_return;
    }
    store::FeedState state = known->value_or(store::FeedState{});

    fetch::FeedRequest request;
    request.url = feed.url;
    request.etag = state.etag;
    request.last_modified = state.last_modified;
    request.timeout = config.fetch.timeout;
    request.max_body = config.fetch.max_body;
    request.private_networks =
        config.fetch.allow_private_networks ? http::PrivateNetworks::allow : http::PrivateNetworks::refuse;
    fetch::FeedResponse response = co_await fetch::fetch_feed(client, std::move(request));
    if (stopped) {
        co_return;
    }
    const double seconds = response.elapsed.count();

    if (response.outcome == fetch::Outcome::not_modified) {
        metrics.fetch_finished("not_modified", seconds, 0);
        state.consecutive_errors = 0;
        state.last_success = core::now();
        if (auto saved = store.save_feed_state(feed.url, state); !saved) {
            spdlog::error("store: saving state of {}: {}", feed.url, saved.error().detail);
        }
        co_return;
    }
    if (response.outcome != fetch::Outcome::ok) {
        metrics.fetch_finished(fetch::to_string(response.outcome), seconds, 0);
        spdlog::warn("fetch {}: {} ({})", feed.url, fetch::to_string(response.outcome), response.detail);
        record_failure(feed.url, state);
        co_return;
    }

    const auto body_bytes = static_cast<double>(response.body.size());
    const parse::ParseOptions parse_options{response.content_type, response.effective_url};
    auto parsed = parse::parse_feed(response.body, parse_options);
    if (!parsed) {
        metrics.fetch_finished("parse_error", seconds, body_bytes);
        spdlog::warn("parse {}: {}", feed.url, parsed.error().detail);
        record_failure(feed.url, state);
        co_return;
    }
    metrics.fetch_finished("ok", seconds, body_bytes);
    for (const auto& error : parsed->errors) {
        spdlog::warn("parse {}: recovered: {}", feed.url, error);
    }

    const core::Instant now = core::now();
    store::PollCommit commit;
    commit.feed_url = feed.url;
    const model::FeedRef feed_ref{feed.url, parsed->feed.title};
    const match::FeedInfo feed_info{feed.url, parsed->feed.title, feed.tags};  // for feed: terms and scopes
    std::size_t duplicates = 0;
    std::map<std::string, int> matches_by_watchlist;
    for (auto& item : parsed->items) {
        auto seen = store.seen(feed.url, item.id);
        if (!seen) {
            spdlog::error("store: {}: {}", feed.url, seen.error().detail);
            co_return;
        }
        if (*seen) {
            ++duplicates;
            continue;
        }
        model::Article article{model::article_id(feed.url, item.id), feed_ref, std::move(item), now};
        for (const auto& hit : matcher->match(article.item, feed_info)) {
            ++matches_by_watchlist[hit.watchlist];
            const std::string body = deliver::render_json_payload(hit.watchlist, article, hit.matches, now);
            for (const auto& webhook : hit.notify) {
                commit.outbox.push_back(model::OutboxEntry{webhook, model::webhook_id(hit.watchlist, webhook, article.id),
                                                           hit.watchlist, article.id, body, now, now, 0});
            }
        }
        commit.articles.push_back(std::move(article));
    }
    state.etag = response.etag;
    state.last_modified = response.last_modified;
    state.title = parsed->feed.title;
    state.last_success = now;
    state.consecutive_errors = 0;
    commit.state = state;

    // Validators are saved only with the articles: if this write fails, the next poll
    // fetches the whole feed again and nothing is lost.
    if (auto committed = store.commit(commit); !committed) {
        spdlog::error("store: committing {} articles of {}: {}", commit.articles.size(), feed.url,
                      committed.error().detail);
        co_return;
    }
    metrics.articles_new(static_cast<double>(commit.articles.size()));
    metrics.articles_duplicate(static_cast<double>(duplicates));
    for (const auto& [watchlist, count] : matches_by_watchlist) {
        for (int i = 0; i < count; ++i) {
            metrics.matched(watchlist);
        }
    }
    for (const auto& entry : commit.outbox) {
        metrics.alert_created(entry.watchlist);
    }
    if (!commit.articles.empty()) {
        spdlog::info("{}: {} new, {} seen, {} alerts queued", feed.url, commit.articles.size(), duplicates,
                     commit.outbox.size());
    }
    if (!commit.outbox.empty()) {
        deliverer.wake();  // it reports feedwatch_outbox_pending
    }
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
                                            if (deliver::is_alerts_api(request.target)) {
                                                auto answer = deliver::handle_alerts_api(impl->store, impl->deliverer,
                                                                                         request.method, request.target,
                                                                                         request.body);
                                                serve::Response response;
                                                response.status = answer.status;
                                                response.content_type = "application/json";
                                                response.body = std::move(answer.body);
                                                return response;
                                            }
                                            return impl->handle(request);
                                        });
    if (!server) {
        return core::fail(server.error().code, "listen " + m_impl->config.daemon.listen + ": " + server.error().detail);
    }
    m_impl->server = std::move(*server);
    m_impl->metrics.set_feeds(static_cast<double>(m_impl->config.feeds.size()));
    m_impl->deliverer.start();
    // Spread the first polls a little so a restart does not open every connection at once.
    std::chrono::milliseconds delay{0};
    for (const auto& feed : m_impl->config.feeds) {
        m_impl->start_feed(feed, delay);
        delay = std::min(delay + std::chrono::milliseconds{50}, std::chrono::milliseconds{10000});
    }
    return {};
}

void App::reload(config::Config config)
{
    if (config.daemon.listen != m_impl->config.daemon.listen || config.daemon.state_dir != m_impl->config.daemon.state_dir) {
        spdlog::warn("reload: [daemon] listen and state_dir take effect after a restart");
        config.daemon = m_impl->config.daemon;
    }
    std::map<std::string, const config::FeedConfig*> wanted;
    for (const auto& feed : config.feeds) {
        wanted[feed.url] = &feed;
    }
    for (auto it = m_impl->feeds.begin(); it != m_impl->feeds.end();) {
        if (wanted.count(it->first) == 0) {
            it->second->stopped = true;
            it->second->timer.cancel();
            it = m_impl->feeds.erase(it);
        } else {
            it->second->feed = *wanted[it->first];
            ++it;
        }
    }
    m_impl->config = std::move(config);
    for (const auto& feed : m_impl->config.feeds) {
        if (m_impl->feeds.count(feed.url) == 0) {
            m_impl->start_feed(feed, std::chrono::milliseconds{0});
        }
    }
    m_impl->matcher = matcher_of(m_impl->config);
    m_impl->deliverer.set_targets(targets_of(m_impl->config));
    m_impl->metrics.set_feeds(static_cast<double>(m_impl->config.feeds.size()));
    spdlog::info("reload: {} feeds, {} watchlists, {} webhooks", m_impl->config.feeds.size(), m_impl->matcher->size(),
                 m_impl->config.webhooks.size());
}

void App::stop()
{
    if (m_impl->stopped) {
        return;
    }
    m_impl->stopped = true;
    for (auto& [url, task] : m_impl->feeds) {
        task->stopped = true;
        task->timer.cancel();
    }
    m_impl->feeds.clear();
    m_impl->deliverer.stop();
    if (m_impl->server) {
        m_impl->server->stop();
    }
    m_impl->client.stop();
}

bool App::healthy() const { return m_impl->store.healthy(); }

std::uint16_t App::port() const { return m_impl->server ? m_impl->server->port() : 0; }

}  // namespace feedwatch::pipeline
