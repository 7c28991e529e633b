#pragma once
// Every stage's Prometheus metrics in one registry owned by the daemon (no global registry).
// Names follow feedwatch_<stage>_<thing>_<unit>; label values are outcomes, watchlist and
// webhook names, never feed titles or URLs.
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace feedwatch::metrics {

class Metrics {
public:
    explicit Metrics(std::string_view version);
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // outcome: ok, not_modified, http_error, network_error, too_large, blocked, parse_error
    void fetch_finished(std::string_view outcome, double seconds, double bytes);
    void articles_new(double count);
    void articles_duplicate(double count);
    void matched(const std::string& watchlist);
    void alert_created(const std::string& watchlist);
    // outcome: ok, http_error, network_error, timeout
    void delivery_finished(const std::string& webhook, std::string_view outcome, double latency_seconds);
    // feedwatch_outbox_pending{webhook} and feedwatch_outbox_oldest_seconds{webhook}.
    void set_outbox(const std::string& webhook, double pending, double oldest_seconds);
    // feedwatch_alerts_dead_total{webhook}
    void alert_dead(const std::string& webhook);
    // feedwatch_webhook_healthy{webhook}, feedwatch_webhook_disabled{webhook}
    void set_webhook_health(const std::string& webhook, bool healthy, bool disabled);
    // state: active (polled on schedule), backoff (last poll failed), disabled (410 Gone)
    void set_feeds(std::string_view state, double count);
    // How late a poll started after its due time, time queued for a connection slot included.
    void scheduler_lag(double seconds);
    void set_fetch_in_flight(double count);
    void set_config_reload_successful(bool ok);
    // Story grouping: feedwatch_stories_open, feedwatch_story_assignments_total{result} with
    // result "new" (started a story) or "joined", feedwatch_story_updates_total{watchlist}
    // (alerts queued as watchlist.update).
    void set_stories_open(double count);
    void story_assigned(std::string_view result, double count);
    void story_updates(const std::string& watchlist, double count);

    // Prometheus text exposition format 0.0.4.
    std::string render() const;
    prometheus::Registry& registry();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace feedwatch::metrics
