#include "metrics/metrics.hpp"

#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace feedwatch::metrics {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

struct Metrics::Impl {
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
    prometheus::Family<prometheus::Counter>& fetch_requests =
        BuildCounter().Name("feedwatch_fetch_requests_total").Help("Feed fetches by outcome.").Register(*registry);
    prometheus::Family<prometheus::Histogram>& fetch_duration =
        BuildHistogram().Name("feedwatch_fetch_duration_seconds").Help("Time to fetch one feed.").Register(*registry);
    prometheus::Family<prometheus::Counter>& fetch_bytes =
        BuildCounter().Name("feedwatch_fetch_bytes_total").Help("Decoded body bytes fetched.").Register(*registry);
    prometheus::Family<prometheus::Counter>& articles_new =
        BuildCounter().Name("feedwatch_articles_new_total").Help("Articles stored for the first time.").Register(*registry);
    prometheus::Family<prometheus::Counter>& articles_duplicate =
        BuildCounter().Name("feedwatch_articles_duplicate_total").Help("Items already seen.").Register(*registry);
    prometheus::Family<prometheus::Counter>& matches =
        BuildCounter().Name("feedwatch_matches_total").Help("New articles matching a watchlist.").Register(*registry);
    prometheus::Family<prometheus::Counter>& alerts_created =
        BuildCounter().Name("feedwatch_alerts_created_total").Help("Alerts queued for delivery.").Register(*registry);
    prometheus::Family<prometheus::Counter>& deliveries =
        BuildCounter().Name("feedwatch_webhook_deliveries_total").Help("Webhook delivery attempts by outcome.").Register(*registry);
    prometheus::Family<prometheus::Histogram>& alert_latency =
        BuildHistogram().Name("feedwatch_alert_latency_seconds").Help("Article first seen to successful delivery.").Register(*registry);
    prometheus::Family<prometheus::Gauge>& outbox_pending =
        BuildGauge().Name("feedwatch_outbox_pending").Help("Alerts waiting for delivery, by webhook.").Register(*registry);
    prometheus::Family<prometheus::Gauge>& outbox_oldest = BuildGauge()
                                                               .Name("feedwatch_outbox_oldest_seconds")
                                                               .Help("Age of the oldest alert waiting for delivery.")
                                                               .Register(*registry);
    prometheus::Family<prometheus::Counter>& alerts_dead =
        BuildCounter().Name("feedwatch_alerts_dead_total").Help("Alerts given up after give_up_after (dead letters).").Register(*registry);
    prometheus::Family<prometheus::Gauge>& webhook_healthy =
        BuildGauge()
            .Name("feedwatch_webhook_healthy")
            .Help("0 after a 4xx other than 408/425/429 (retried, probably misconfigured) or a 410, until a 2xx or reload.")
            .Register(*registry);
    prometheus::Family<prometheus::Gauge>& webhook_disabled =
        BuildGauge().Name("feedwatch_webhook_disabled").Help("1 when the webhook answered 410 Gone; alerts stay queued until reload.").Register(*registry);
    prometheus::Family<prometheus::Gauge>& feeds =
        BuildGauge().Name("feedwatch_feeds").Help("Feeds configured, by scheduling state.").Register(*registry);
    prometheus::Family<prometheus::Histogram>& scheduler_lag =
        BuildHistogram()
            .Name("feedwatch_scheduler_lag_seconds")
            .Help("How late a poll starts after its due time (queued for a connection slot included).")
            .Register(*registry);
    prometheus::Gauge& fetch_in_flight =
        BuildGauge().Name("feedwatch_fetch_in_flight").Help("Feed fetches in progress.").Register(*registry).Add({});
    prometheus::Gauge& reload_ok = BuildGauge()
                                       .Name("feedwatch_config_last_reload_successful")
                                       .Help("1 when the last configuration load succeeded.")
                                       .Register(*registry)
                                       .Add({});
    prometheus::Gauge& stories_open =
        BuildGauge().Name("feedwatch_stories_open").Help("Stories open to new reports.").Register(*registry).Add({});
    prometheus::Family<prometheus::Counter>& story_assignments =
        BuildCounter()
            .Name("feedwatch_story_assignments_total")
            .Help("New articles that started a story (new) or joined an open one (joined).")
            .Register(*registry);
    prometheus::Family<prometheus::Counter>& story_updates =
        BuildCounter()
            .Name("feedwatch_story_updates_total")
            .Help("Alerts queued as watchlist.update: a later report of a story the watchlist already alerted on.")
            .Register(*registry);
    prometheus::Family<prometheus::Gauge>& build_info =
        BuildGauge().Name("feedwatch_build_info").Help("Version of the running daemon.").Register(*registry);
};

namespace {

const prometheus::Histogram::BucketBoundaries& fetch_buckets()
{
    static const prometheus::Histogram::BucketBoundaries k_buckets{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    return k_buckets;
}

const prometheus::Histogram::BucketBoundaries& latency_buckets()
{
    static const prometheus::Histogram::BucketBoundaries k_buckets{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};
    return k_buckets;
}

const prometheus::Histogram::BucketBoundaries& lag_buckets()
{
    static const prometheus::Histogram::BucketBoundaries k_buckets{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300};
    return k_buckets;
}

}  // namespace

Metrics::Metrics(std::string_view version) : m_impl(std::make_unique<Impl>())
{
    m_impl->build_info.Add({{"version", std::string(version)}}).Set(1);
    m_impl->reload_ok.Set(1);
    // Pre-create the outcome series so dashboards see zeros instead of gaps.
    for (const char* outcome : {"ok", "not_modified", "http_error", "network_error", "too_large", "blocked", "parse_error"}) {
        m_impl->fetch_requests.Add({{"outcome", outcome}});
    }
    m_impl->fetch_duration.Add({}, fetch_buckets());
    m_impl->fetch_bytes.Add({});
    m_impl->articles_new.Add({});
    m_impl->articles_duplicate.Add({});
    m_impl->alert_latency.Add({}, latency_buckets());
    for (const char* state : {"active", "backoff", "disabled"}) {
        m_impl->feeds.Add({{"state", state}});
    }
    m_impl->scheduler_lag.Add({}, lag_buckets());
    for (const char* result : {"new", "joined"}) {
        m_impl->story_assignments.Add({{"result", result}});
    }
}

Metrics::~Metrics() = default;

void Metrics::fetch_finished(std::string_view outcome, double seconds, double bytes)
{
    m_impl->fetch_requests.Add({{"outcome", std::string(outcome)}}).Increment();
    m_impl->fetch_duration.Add({}, fetch_buckets()).Observe(seconds);
    m_impl->fetch_bytes.Add({}).Increment(bytes);
}

void Metrics::articles_new(double count) { m_impl->articles_new.Add({}).Increment(count); }

void Metrics::articles_duplicate(double count) { m_impl->articles_duplicate.Add({}).Increment(count); }

void Metrics::matched(const std::string& watchlist) { m_impl->matches.Add({{"watchlist", watchlist}}).Increment(); }

void Metrics::alert_created(const std::string& watchlist)
{
    m_impl->alerts_created.Add({{"watchlist", watchlist}}).Increment();
}

void Metrics::delivery_finished(const std::string& webhook, std::string_view outcome, double latency_seconds)
{
    m_impl->deliveries.Add({{"webhook", webhook}, {"outcome", std::string(outcome)}}).Increment();
    if (outcome == "ok") {
        m_impl->alert_latency.Add({}, latency_buckets()).Observe(latency_seconds);
    }
}

void Metrics::set_outbox(const std::string& webhook, double pending, double oldest_seconds)
{
    m_impl->outbox_pending.Add({{"webhook", webhook}}).Set(pending);
    m_impl->outbox_oldest.Add({{"webhook", webhook}}).Set(oldest_seconds);
    m_impl->alerts_dead.Add({{"webhook", webhook}});
}

void Metrics::alert_dead(const std::string& webhook) { m_impl->alerts_dead.Add({{"webhook", webhook}}).Increment(); }

void Metrics::set_webhook_health(const std::string& webhook, bool healthy, bool disabled)
{
    m_impl->webhook_healthy.Add({{"webhook", webhook}}).Set(healthy ? 1 : 0);
    m_impl->webhook_disabled.Add({{"webhook", webhook}}).Set(disabled ? 1 : 0);
}

void Metrics::set_feeds(std::string_view state, double count)
{
    m_impl->feeds.Add({{"state", std::string(state)}}).Set(count);
}

void Metrics::scheduler_lag(double seconds) { m_impl->scheduler_lag.Add({}, lag_buckets()).Observe(seconds); }

void Metrics::set_fetch_in_flight(double count) { m_impl->fetch_in_flight.Set(count); }

void Metrics::set_config_reload_successful(bool ok) { m_impl->reload_ok.Set(ok ? 1 : 0); }

void Metrics::set_stories_open(double count) { m_impl->stories_open.Set(count); }

void Metrics::story_assigned(std::string_view result, double count)
{
    m_impl->story_assignments.Add({{"result", std::string(result)}}).Increment(count);
}

void Metrics::story_updates(const std::string& watchlist, double count)
{
    m_impl->story_updates.Add({{"watchlist", watchlist}}).Increment(count);
}

std::string Metrics::render() const
{
    std::ostringstream out;
    prometheus::TextSerializer{}.Serialize(out, m_impl->registry->Collect());
    return out.str();
}

prometheus::Registry& Metrics::registry() { return *m_impl->registry; }

}  // namespace feedwatch::metrics
