#include "pipeline/config_watcher.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "support/run_until_complete.hpp"
#include "support/temp_dir.hpp"

namespace feedwatch::pipeline {
namespace {

using namespace std::chrono_literals;
using test::run_until;

constexpr auto k_quiet = 50ms;

std::string watchlist_toml(std::string_view name, std::string_view query)
{
    return "[[watchlist]]\nname = \"" + std::string(name) + "\"\nquery = '" + std::string(query) + "'\n";
}

// Runs the loop for a while and returns how many reloads were asked for meanwhile.
int reloads_during(asio::io_context& io, const int& reloads, std::chrono::milliseconds period)
{
    const int before = reloads;
    const auto until = std::chrono::steady_clock::now() + period;
    run_until(io, [&] { return std::chrono::steady_clock::now() >= until; }, period + 1s);
    return reloads - before;
}

class ConfigWatcherTest : public ::testing::Test {
protected:
    asio::io_context m_io;
    testing_support::TempDir m_dir;
    int m_reloads = 0;
};

TEST_F(ConfigWatcherTest, ABurstOfWritesToAWatchlistFileReloadsOnce)
{
    const auto file = m_dir.write("watchlists.toml", watchlist_toml("china", "huawei"));
    ConfigWatcher watcher(m_io, k_quiet, [this] { ++m_reloads; });
    ASSERT_TRUE(watcher.watch({file}));
    EXPECT_EQ(reloads_during(m_io, m_reloads, 150ms), 0);  // watching alone reloads nothing

    for (int i = 0; i < 5; ++i) {
        m_dir.write("watchlists.toml", watchlist_toml("china", "huawei OR zte"));
    }
    ASSERT_TRUE(run_until(m_io, [this] { return m_reloads > 0; }, 5s));
    EXPECT_EQ(reloads_during(m_io, m_reloads, 300ms), 0);
    EXPECT_EQ(m_reloads, 1);
}

TEST_F(ConfigWatcherTest, AFileSavedByRenameOverTheOldOneReloads)
{
    const auto file = m_dir.write("watchlists.toml", watchlist_toml("china", "huawei"));
    ConfigWatcher watcher(m_io, k_quiet, [this] { ++m_reloads; });
    ASSERT_TRUE(watcher.watch({file}));
    const auto saved = m_dir.write(".watchlists.toml.swp", watchlist_toml("china", "zte"));
    std::filesystem::rename(saved, file);
    EXPECT_TRUE(run_until(m_io, [this] { return m_reloads == 1; }, 5s));
}

TEST_F(ConfigWatcherTest, OtherFilesInTheDirectoryDoNotReload)
{
    const auto file = m_dir.write("watchlists.toml", watchlist_toml("china", "huawei"));
    ConfigWatcher watcher(m_io, k_quiet, [this] { ++m_reloads; });
    ASSERT_TRUE(watcher.watch({file}));
    m_dir.write("notes.txt", "not a config file");
    EXPECT_EQ(reloads_during(m_io, m_reloads, 300ms), 0);
}

TEST_F(ConfigWatcherTest, NothingRunsAfterStop)
{
    const auto file = m_dir.write("watchlists.toml", watchlist_toml("china", "huawei"));
    ConfigWatcher watcher(m_io, k_quiet, [this] { ++m_reloads; });
    ASSERT_TRUE(watcher.watch({file}));
    m_dir.write("watchlists.toml", watchlist_toml("china", "zte"));
    watcher.stop();
    watcher.stop();  // idempotent
    EXPECT_EQ(reloads_during(m_io, m_reloads, 300ms), 0);
    EXPECT_FALSE(watcher.watch({file}));
}

// The daemon's reload pattern: load on every change, keep the running watchlists when the
// new file is invalid, take the next valid version.
TEST_F(ConfigWatcherTest, AnInvalidWatchlistFileReloadsButKeepsThePreviousWatchlists)
{
    const auto file = m_dir.write("watchlists.toml", watchlist_toml("china", "huawei"));
    auto running = config::load_watchlist_file(file);
    ASSERT_TRUE(running);
    int failed = 0;
    ConfigWatcher watcher(m_io, k_quiet, [&] {
        ++m_reloads;
        if (auto loaded = config::load_watchlist_file(file)) {
            running = std::move(loaded);
        } else {
            ++failed;
        }
    });
    ASSERT_TRUE(watcher.watch({file}));

    m_dir.write("watchlists.toml", watchlist_toml("china", "huawei OR (zte"));
    ASSERT_TRUE(run_until(m_io, [this] { return m_reloads == 1; }, 5s));
    EXPECT_EQ(failed, 1);
    ASSERT_EQ(running->watchlists.size(), 1U);
    EXPECT_EQ(running->watchlists[0].query, "huawei");

    m_dir.write("watchlists.toml", watchlist_toml("china", "huawei OR zte"));
    ASSERT_TRUE(run_until(m_io, [this] { return m_reloads == 2; }, 5s));
    EXPECT_EQ(failed, 1);
    ASSERT_EQ(running->watchlists.size(), 1U);
    EXPECT_EQ(running->watchlists[0].query, "huawei OR zte");
}

}  // namespace
}  // namespace feedwatch::pipeline
