#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

namespace feedwatch::metrics {

TEST(Metrics, RendersBuildInfoAndZeroedFetchOutcomes)
{
    const Metrics metrics("1.2.3");
    const std::string text = metrics.render();
    EXPECT_NE(text.find("feedwatch_build_info{version=\"1.2.3\"} 1"), std::string::npos) << text;
    EXPECT_NE(text.find("feedwatch_fetch_requests_total{outcome=\"parse_error\"} 0"), std::string::npos);
    EXPECT_NE(text.find("feedwatch_config_last_reload_successful 1"), std::string::npos);
}

TEST(Metrics, CountsMatchesPerWatchlistAndDeliveriesPerOutcome)
{
    Metrics metrics("test");
    metrics.matched("china-cyber");
    metrics.matched("china-cyber");
    metrics.delivery_finished("ops", "ok", 1.5);
    metrics.delivery_finished("ops", "http_error", 0);
    metrics.set_config_reload_successful(false);
    const std::string text = metrics.render();
    EXPECT_NE(text.find("feedwatch_matches_total{watchlist=\"china-cyber\"} 2"), std::string::npos) << text;
    EXPECT_NE(text.find("feedwatch_webhook_deliveries_total{outcome=\"ok\",webhook=\"ops\"} 1"), std::string::npos);
    EXPECT_NE(text.find("feedwatch_webhook_deliveries_total{outcome=\"http_error\",webhook=\"ops\"} 1"), std::string::npos);
    EXPECT_NE(text.find("feedwatch_alert_latency_seconds_count 1"), std::string::npos);
    EXPECT_NE(text.find("feedwatch_config_last_reload_successful 0"), std::string::npos);
}

TEST(Metrics, CountsStoryAssignmentsByResultUpdatesByWatchlistAndOpenStories)
{
    Metrics metrics("test");
    EXPECT_NE(metrics.render().find("feedwatch_story_assignments_total{result=\"joined\"} 0"), std::string::npos);
    metrics.story_assigned("new", 2);
    metrics.story_assigned("joined", 3);
    metrics.story_updates("china-cyber", 1);
    metrics.story_updates("china-cyber", 2);
    metrics.set_stories_open(7);
    const std::string text = metrics.render();
    EXPECT_NE(text.find("feedwatch_story_assignments_total{result=\"new\"} 2"), std::string::npos) << text;
    EXPECT_NE(text.find("feedwatch_story_assignments_total{result=\"joined\"} 3"), std::string::npos);
    EXPECT_NE(text.find("feedwatch_story_updates_total{watchlist=\"china-cyber\"} 3"), std::string::npos);
    EXPECT_NE(text.find("feedwatch_stories_open 7"), std::string::npos);
}

}  // namespace feedwatch::metrics
