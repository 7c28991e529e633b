#include "config/config.hpp"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace feedwatch::config {
namespace {

TEST(Config, ShippedExampleConfigAndWatchlistsAreValid)
{
    const testing_support::ScopedEnv no_credentials("CREDENTIALS_DIRECTORY", std::nullopt);
    const std::filesystem::path path = std::filesystem::path(FEEDWATCH_SOURCE_DIR) / "config" / "feedwatch.toml";
    const auto config = load_config(path);
    ASSERT_TRUE(config) << [&] {
        std::string all;
        for (const auto& error : config.error()) {
            all += error.to_string() + "\n";
        }
        return all;
    }();
    EXPECT_EQ(config->daemon.state_dir, "/var/lib/feedwatch");
    EXPECT_EQ(config->daemon.listen, "127.0.0.1:9464");
    EXPECT_GE(config->feeds.size(), 2U);
    ASSERT_EQ(config->webhooks.size(), 1U);
    EXPECT_EQ(config->webhooks[0].name, "ops");
    EXPECT_FALSE(config->webhooks[0].secret_file);  // shipped commented out
    EXPECT_EQ(config->watchlist_files,
              std::vector<std::filesystem::path>{path.parent_path() / "watchlists.toml"});

    const auto china = std::find_if(config->watchlists.begin(), config->watchlists.end(),
                                    [](const WatchlistConfig& watchlist) { return watchlist.name == "china-cyber"; });
    ASSERT_NE(china, config->watchlists.end());
    EXPECT_EQ(china->query, R"(indictment OR Huawei OR "Unit 61398")");
    EXPECT_EQ(china->notify, std::vector<std::string>{"ops"});
    EXPECT_GE(config->watchlists.size(), 2U);
    EXPECT_FALSE(watchlist_specs(*config).empty());
}

}  // namespace
}  // namespace feedwatch::config
