#include "config/config.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "core/digest.hpp"

namespace feedwatch::config {
namespace {

using testing_support::ScopedEnv;
using testing_support::TempDir;

std::vector<std::string> error_lines(const ConfigResult& result)
{
    std::vector<std::string> lines;
    if (!result) {
        for (const auto& error : result.error()) {
            lines.push_back(error.to_string());
        }
    }
    return lines;
}

// Loads with no systemd credentials in the environment.
ConfigResult load(const std::filesystem::path& path)
{
    const ScopedEnv no_credentials("CREDENTIALS_DIRECTORY", std::nullopt);
    return load_config(path);
}

TEST(Config, LoadsEveryKeyIntoPlainStructs)
{
    const TempDir dir;
    dir.write("ops.secret", "  plain-key \n");
    dir.write("watchlists.toml", R"(
[[watchlist]]
name = "china-cyber"
query = 'indictment OR Huawei OR "Unit 61398"'
notify = ["ops"]
enabled = false
)");
    const auto path = dir.write("feedwatch.toml", R"(watchlist_files = ["watchlists.toml"]
[daemon]
state_dir = "/srv/feedwatch"
listen = "[::1]:0"
[fetch]
interval = "1h30m"
timeout = "20s"
max_body = "512KiB"
allow_private_networks = true
user_agent = "test-agent"
[[feed]]
url = "https://example.org/rss.xml"
interval = "5m"
tags = ["wire", "en"]
[[feed]]
url = "http://example.net/atom"
[[webhook]]
name = "ops"
url = "https://hooks.example.org/x"
secret_file = "ops.secret"
timeout = "2m"
[[watchlist]]
name = "local"
query = "ransomware"
)");
    const auto config = load(path);
    ASSERT_TRUE(config) << ::testing::PrintToString(error_lines(config));
    EXPECT_EQ(config->source, path);
    EXPECT_EQ(config->watchlist_files, std::vector<std::filesystem::path>{dir.path() / "watchlists.toml"});
    EXPECT_EQ(config->daemon.state_dir, "/srv/feedwatch");
    EXPECT_EQ(config->daemon.listen, "[::1]:0");
    EXPECT_EQ(config->fetch.interval, Seconds(5400));
    EXPECT_EQ(config->fetch.timeout, Seconds(20));
    EXPECT_EQ(config->fetch.max_body, 512U * 1024U);
    EXPECT_TRUE(config->fetch.allow_private_networks);
    EXPECT_EQ(config->fetch.user_agent, "test-agent");

    ASSERT_EQ(config->feeds.size(), 2U);
    EXPECT_EQ(config->feeds[0].url, "https://example.org/rss.xml");
    EXPECT_EQ(config->feeds[0].interval, Seconds(300));
    EXPECT_EQ(config->feeds[0].tags, (std::vector<std::string>{"wire", "en"}));
    EXPECT_EQ(config->feeds[0].where.line, 11);
    EXPECT_EQ(config->feeds[1].interval, std::nullopt);
    // Every setting of one file points at one copy of its path (100,000 feeds, one path).
    EXPECT_EQ(&config->feeds[0].where.file.path(), &config->feeds[1].where.file.path());

    ASSERT_EQ(config->webhooks.size(), 1U);
    EXPECT_EQ(config->webhooks[0].name, "ops");
    EXPECT_EQ(config->webhooks[0].secret_file, dir.path() / "ops.secret");
    EXPECT_EQ(config->webhooks[0].secrets, std::vector<std::string>{"plain-key"});
    EXPECT_EQ(config->webhooks[0].timeout, Seconds(120));

    ASSERT_EQ(config->watchlists.size(), 2U);
    EXPECT_EQ(config->watchlists[0].name, "local");  // the main file's own come first
    EXPECT_EQ(config->watchlists[1].name, "china-cyber");
    EXPECT_EQ(config->watchlists[1].query, R"(indictment OR Huawei OR "Unit 61398")");
    EXPECT_EQ(config->watchlists[1].notify, std::vector<std::string>{"ops"});
    EXPECT_FALSE(config->watchlists[1].enabled);
    EXPECT_EQ(config->watchlists[1].where.file, dir.path() / "watchlists.toml");
    EXPECT_EQ(config->watchlists[1].where.line, 2);
    EXPECT_EQ(config->watchlists[1].query_where.line, 4);
    EXPECT_EQ(config->watchlists[1].query_where.column, 10);

    const auto specs = watchlist_specs(*config);
    ASSERT_EQ(specs.size(), 1U);  // the disabled one is left out
    EXPECT_EQ(specs[0].name, "local");
    EXPECT_EQ(specs[0].query.text(), "ransomware");
    EXPECT_EQ(specs[0].language, "english");
    EXPECT_TRUE(specs[0].feeds.empty());
}

TEST(Config, ReadsTheStoryTableWithDefaultsAndRejectsBadValues)
{
    const TempDir dir;
    const auto defaults = load(dir.write("defaults.toml", ""));
    ASSERT_TRUE(defaults) << error_lines(defaults).front();
    EXPECT_TRUE(defaults->story.enabled);
    EXPECT_EQ(defaults->story.window, Seconds(72 * 3600));
    EXPECT_FALSE(defaults->story.threshold);

    const auto set = load(dir.write("set.toml", "[story]\nenabled = false\nwindow = \"36h\"\nthreshold = 0.4\n"));
    ASSERT_TRUE(set) << error_lines(set).front();
    EXPECT_FALSE(set->story.enabled);
    EXPECT_EQ(set->story.window, Seconds(36 * 3600));
    ASSERT_TRUE(set->story.threshold);
    EXPECT_DOUBLE_EQ(*set->story.threshold, 0.4);

    const auto path = dir.write("bad.toml", "[story]\nenabled = \"yes\"\nwindow = \"soon\"\nthreshold = 1.5\ncolour = 1\n");
    const auto lines = error_lines(load(path));
    ASSERT_EQ(lines.size(), 4u);
    const auto has = [&](const std::string& text) {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) { return line.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(has(path.string() + ":2:")) << lines[0];
    EXPECT_TRUE(has("story.enabled"));
    EXPECT_TRUE(has("story.window"));
    EXPECT_TRUE(has(path.string() + ":4:13: story.threshold: expected a number greater than 0 and at most 1"));
    EXPECT_TRUE(has("colour"));
}

TEST(Config, UsesDefaultsForAnEmptyFile)
{
    const TempDir dir;
    const auto config = load(dir.write("feedwatch.toml", "# nothing\n"));
    ASSERT_TRUE(config);
    EXPECT_EQ(config->daemon.state_dir, "/var/lib/feedwatch");
    EXPECT_EQ(config->daemon.listen, "127.0.0.1:9464");
    EXPECT_EQ(config->fetch.interval, Seconds(900));
    EXPECT_EQ(config->fetch.timeout, Seconds(30));
    EXPECT_EQ(config->fetch.max_body, 16U << 20);
    EXPECT_FALSE(config->fetch.allow_private_networks);
    EXPECT_TRUE(config->feeds.empty());
    EXPECT_TRUE(config->watchlist_files.empty());
}

TEST(Config, ReportsEveryProblemAtOnceWithFileLineAndColumn)
{
    const TempDir dir;
    const auto path = dir.write("feedwatch.toml", R"(watchlist_files = ["lists/*.toml"]
colour = "blue"
[fetch]
interval = 5
max_body = "16 potatoes"
[[feed]]
url = "ftp://example.org/feed"
[[feed]]
url = "https://example.org/a.xml"
[[feed]]
url = "https://example.org/a.xml"
[[webhook]]
name = "ops"
url = "https://hooks.example.org/x"
[[webhook]]
name = "ops"
[[watchlist]]
name = "w"
query = "a OR"
notify = ["ops", "pager"]
)");
    const std::string f = path.string();
    EXPECT_EQ(error_lines(load(path)),
              (std::vector<std::string>{
                  f + R"(:1:20: watchlist_files: "lists/*.toml" matches no file)",
                  f + R"(:2:1: unknown key "colour")",
                  f + R"(:4:12: fetch.interval: expected a duration string such as "15m", got integer)",
                  f + R"(:5:12: fetch.max_body: invalid size "16 potatoes" (expected e.g. "16MiB", "512KiB", "10MB", "1000"))",
                  f + R"(:7:7: feed: url: "ftp://example.org/feed" is not an http or https URL)",
                  f + R"(:11:7: duplicate feed "https://example.org/a.xml" (first at )" + f + ":9:7)",
                  f + R"(:15:1: webhook "ops": missing required key "url")",
                  f + R"(:16:8: duplicate webhook name "ops" (first at )" + f + ":13:8)",
                  f + R"(:19:12: watchlist "w": query: expected a term after OR)",
                  f + R"(:20:18: watchlist "w": notify: unknown webhook "pager")",
              }));
}

TEST(Config, RejectsUnknownKeysInEverySectionAndInWatchlistFiles)
{
    const TempDir dir;
    const auto lists = dir.write("watchlists.toml", R"([[watchlist]]
name = "a"
query = "x"
colour = "red"
[[feed]]
url = "https://example.org/other"
)");
    const auto path = dir.write("feedwatch.toml", R"(watchlist_files = ["watchlists.toml"]
[daemon]
state_dir = "/tmp/x"
port = 9464
[fetch]
intervall = "5m"
[[feed]]
url = "https://example.org/feed"
tag = "x"
[[webhook]]
name = "ops"
url = "https://example.org/hook"
secret = "inline"
)");
    const std::string f = path.string();
    const std::string w = lists.string();
    EXPECT_EQ(error_lines(load(path)),
              (std::vector<std::string>{
                  f + R"(:4:1: unknown key "port" in [daemon])",
                  f + R"(:6:1: unknown key "intervall" in [fetch])",
                  f + R"(:9:1: unknown key "tag" in [[feed]])",
                  f + R"(:13:1: unknown key "secret" in [[webhook]])",
                  w + R"(:4:1: unknown key "colour" in [[watchlist]])",
                  w + R"(:5:3: unknown key "feed" (a watchlist file holds only [[watchlist]] tables))",
              }));
}

TEST(Config, ReportsWrongTypesForSectionsAndValues)
{
    const TempDir dir;
    const auto path = dir.write("feedwatch.toml", R"(daemon = 5
feed = "https://example.org/feed"
watchlist_files = "watchlists.toml"
[fetch]
allow_private_networks = "yes"
max_body = 0
timeout = "0s"
[[webhook]]
name = "ops"
url = "https://example.org/hook"
timeout = 15
[[watchlist]]
name = "w"
query = ""
notify = "ops"
enabled = 1
)");
    const std::string f = path.string();
    EXPECT_EQ(error_lines(load(path)),
              (std::vector<std::string>{
                  f + R"(:1:10: daemon: expected a table ([daemon]), got integer)",
                  f + R"(:2:8: feed: expected an array of tables ([[feed]]), got string)",
                  f + R"(:3:19: watchlist_files: expected an array of strings, got string)",
                  f + R"(:5:26: fetch.allow_private_networks: expected true or false, got string)",
                  f + R"(:6:12: fetch.max_body: must be greater than zero)",
                  f + R"(:7:11: fetch.timeout: invalid duration "0s" (expected e.g. "90s", "15m", "1h30m", "2d"))",
                  f + R"(:11:11: webhook "ops": timeout: expected a duration string such as "15m", got integer)",
                  f + R"(:14:10: watchlist "w": query: empty query)",
                  f + R"(:15:10: watchlist "w": notify: expected an array of strings, got string)",
                  f + R"(:16:11: watchlist "w": enabled: expected true or false, got integer)",
              }));
}

TEST(Config, ReportsMissingRequiredKeysAtTheirTable)
{
    const TempDir dir;
    const auto path = dir.write("feedwatch.toml", R"([[feed]]
interval = "5m"
[[webhook]]
url = "https://example.org/hook"
[[watchlist]]
name = "w"
[[watchlist]]
query = "x"
[daemon]
listen = "localhost"
)");
    const std::string f = path.string();
    EXPECT_EQ(error_lines(load(path)),
              (std::vector<std::string>{
                  f + R"(:1:1: feed: missing required key "url")",
                  f + R"(:3:1: webhook: missing required key "name")",
                  f + R"(:5:1: watchlist "w": missing required key "query")",
                  f + R"(:7:1: watchlist: missing required key "name")",
                  f + R"(:10:10: daemon.listen: expected host:port such as "127.0.0.1:9464", got "localhost")",
              }));
}

TEST(Config, ReportsABadQueryAtTheQueryStringPlusItsOffset)
{
    const TempDir dir;
    const auto lists = dir.write("watchlists.toml", R"(# Watchlists
#
#
#
#
#
#
#
#
#
[[watchlist]]
query = '(abc d)) "Unit 61398"'
name = "china-cyber"
[[watchlist]]
name = "accents"
query = "caf\u00e9 OR \"x"
[[watchlist]]
name = "multi-line"
query = '''
abc OR
OR x'''
)");
    const auto path = dir.write("feedwatch.toml", "watchlist_files = [\"watchlists.toml\"]\n");
    const std::string w = lists.string();
    EXPECT_EQ(error_lines(load(path)),
              (std::vector<std::string>{
                  w + R"(:12:17: watchlist "china-cyber": query: unexpected ')')",
                  w + R"(:16:23: watchlist "accents": query: unterminated quote)",
                  w + R"(:20:5: watchlist "multi-line": query: expected a term after OR)",
              }));
}

TEST(Config, ReadsWatchlistLanguageAndFeedScopes)
{
    const TempDir dir;
    const auto path = dir.write("feedwatch.toml", R"([[feed]]
url = "https://wire.example/asia.xml"
tags = ["china"]

[[watchlist]]
name = "de"
query = "Sanktion"
language = "german"
feeds = ["tag:china", "https://wire.example/"]
)");
    const auto config = load(path);
    ASSERT_TRUE(config) << error_lines(config).front();
    ASSERT_EQ(config->watchlists.size(), 1U);
    EXPECT_EQ(config->watchlists[0].language, "german");
    EXPECT_EQ(config->watchlists[0].feeds, (std::vector<std::string>{"tag:china", "https://wire.example/"}));
    const auto specs = watchlist_specs(*config);
    ASSERT_EQ(specs.size(), 1U);
    EXPECT_EQ(specs[0].language, "german");
    EXPECT_EQ(specs[0].feeds, config->watchlists[0].feeds);
}

TEST(Config, ReportsUnknownLanguagesAndBadFeedScopesAtTheirValues)
{
    const TempDir dir;
    const auto path = dir.write("feedwatch.toml", R"([[feed]]
url = "https://wire.example/asia.xml"
tags = ["china"]

[[watchlist]]
name = "w"
query = "x"
language = "klingon"
feeds = ["tag:chna", "wire.example", "tag:", "tag:china"]
)");
    const auto lines = error_lines(load(path));
    const std::string f = path.string();
    ASSERT_EQ(lines.size(), 4U);
    EXPECT_EQ(lines[0].rfind(f + R"(:8:12: watchlist "w": language: unknown language "klingon" (known: )", 0), 0U)
        << lines[0];
    EXPECT_NE(lines[0].find("english"), std::string::npos);
    EXPECT_EQ(lines[1], f + R"(:9:10: watchlist "w": feeds: no feed has the tag "chna")");
    EXPECT_EQ(lines[2], f + R"(:9:22: watchlist "w": feeds: "wire.example" is neither tag:NAME nor a feed URL prefix (http:// or https://))");
    EXPECT_EQ(lines[3], f + R"(:9:38: watchlist "w": feeds: "tag:" is neither tag:NAME nor a feed URL prefix (http:// or https://))");
}

TEST(Config, ReportsATomlSyntaxErrorWithItsPosition)
{
    const TempDir dir;
    const auto path = dir.write("feedwatch.toml", "[fetch]\ninterval = \"5m\nfoo = 1\n");
    const auto lines = error_lines(load(path));
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0].rfind(path.string() + ":2:", 0), 0U) << lines[0];
}

TEST(Config, ReportsAMissingConfigFileWithoutPosition)
{
    const TempDir dir;
    const auto path = dir.path() / "absent.toml";
    EXPECT_EQ(error_lines(load(path)),
              std::vector<std::string>{path.string() + ": cannot read file: No such file or directory"});
}

TEST(Config, ExpandsGlobsInSortedOrderRelativeToTheConfigFile)
{
    const TempDir dir;
    dir.write("lists/b.toml", "[[watchlist]]\nname = \"b\"\nquery = \"bee\"\n");
    dir.write("lists/a.toml", "[[watchlist]]\nname = \"a\"\nquery = \"ant\"\n");
    dir.write("lists/ignored.txt", "not toml");
    const auto path = dir.write("feedwatch.toml", R"(watchlist_files = ["lists/*.toml", "lists/a.toml"])");
    const auto config = load(path);
    ASSERT_TRUE(config) << ::testing::PrintToString(error_lines(config));
    EXPECT_EQ(config->watchlist_files,
              (std::vector<std::filesystem::path>{dir.path() / "lists/a.toml", dir.path() / "lists/b.toml"}));
    ASSERT_EQ(config->watchlists.size(), 2U);
    EXPECT_EQ(config->watchlists[0].name, "a");
    EXPECT_EQ(config->watchlists[1].name, "b");
}

TEST(Config, ReportsDuplicateWatchlistNamesAcrossFilesAndUnreadableFiles)
{
    const TempDir dir;
    const auto a = dir.write("lists/a.toml", "[[watchlist]]\nname = \"dup\"\nquery = \"ant\"\n");
    const auto b = dir.write("lists/b.toml", "[[watchlist]]\nname = \"dup\"\nquery = \"bee\"\n");
    const auto path = dir.write("feedwatch.toml", R"(watchlist_files = ["lists/*.toml", "missing.toml", "none/*.toml"])");
    const std::string f = path.string();
    EXPECT_EQ(error_lines(load(path)),
              (std::vector<std::string>{
                  f + R"(:1:36: cannot read ")" + (dir.path() / "missing.toml").string() +
                      R"(": No such file or directory)",
                  f + R"(:1:52: watchlist_files: "none/*.toml" matches no file)",
                  b.string() + R"(:2:8: duplicate watchlist name "dup" (first at )" + a.string() + ":2:8)",
              }));
}

TEST(Config, ReadsRawAndWhsecSecretsTrimmed)
{
    const TempDir dir;
    const std::string key = std::string("binary\0key\xff", 11);
    dir.write("raw.secret", "\n  raw key with spaces\t\n");
    dir.write("std.secret", "whsec_" + core::base64_encode(key) + "\n");
    const auto path = dir.write("feedwatch.toml", R"([[webhook]]
name = "raw"
url = "https://example.org/raw"
secret_file = "raw.secret"
[[webhook]]
name = "std"
url = "https://example.org/std"
secret_file = ")" + (dir.path() / "std.secret").string() + R"("
)");
    const auto config = load(path);
    ASSERT_TRUE(config) << ::testing::PrintToString(error_lines(config));
    ASSERT_EQ(config->webhooks.size(), 2U);
    EXPECT_EQ(config->webhooks[0].secrets, std::vector<std::string>{"raw key with spaces"});
    EXPECT_EQ(config->webhooks[1].secrets, std::vector<std::string>{key});
}

TEST(Config, ReadsDeliveryKeysAndTwoSecretsForRotation)
{
    const TempDir dir;
    dir.write("new.secret", "new-key\n");
    dir.write("old.secret", "old-key\n");
    const auto path = dir.write("feedwatch.toml", R"([[webhook]]
name = "chat"
url = "https://hooks.example.org/x"
previous_secret_file = "old.secret"
secret_file = "new.secret"
format = "slack"
max_per_minute = 30
concurrency = 2
give_up_after = "24h"
test_retry_scale = 0.01
[[webhook]]
name = "plain"
url = "https://example.org/plain"
)");
    const auto config = load(path);
    ASSERT_TRUE(config) << ::testing::PrintToString(error_lines(config));
    const WebhookConfig& chat = config->webhooks[0];
    EXPECT_EQ(chat.secrets, (std::vector<std::string>{"new-key", "old-key"}));  // current first
    EXPECT_EQ(chat.previous_secret_file, dir.path() / "old.secret");
    EXPECT_EQ(chat.format, "slack");
    EXPECT_EQ(chat.max_per_minute, 30);
    EXPECT_EQ(chat.concurrency, 2);
    EXPECT_EQ(chat.give_up_after, std::chrono::hours{24});
    EXPECT_DOUBLE_EQ(chat.test_retry_scale, 0.01);
    const WebhookConfig& plain = config->webhooks[1];
    EXPECT_EQ(plain.format, "json");
    EXPECT_EQ(plain.max_per_minute, 0);
    EXPECT_EQ(plain.concurrency, 4);
    EXPECT_EQ(plain.give_up_after, std::chrono::hours{72});
    EXPECT_DOUBLE_EQ(plain.test_retry_scale, 1.0);
}

TEST(Config, ReportsBadDeliveryKeysAtTheirValues)
{
    const TempDir dir;
    dir.write("old.secret", "old-key\n");
    const auto path = dir.write("feedwatch.toml", R"([[webhook]]
name = "chat"
url = "https://hooks.example.org/x"
format = "xml"
concurrency = 0
max_per_minute = -1
test_retry_scale = 2
previous_secret_file = "old.secret"
)");
    const auto errors = error_lines(load(path));
    const std::string f = path.string();
    EXPECT_EQ(errors, (std::vector<std::string>{
                          f + R"(:1:1: webhook "chat": previous_secret_file needs secret_file)",
                          f + R"(:4:10: webhook "chat": format: "xml" is not one of json, slack, discord, teams)",
                          f + R"(:5:15: webhook "chat": concurrency: expected an integer from 1 to 64)",
                          f + R"(:6:18: webhook "chat": max_per_minute: expected an integer from 0 to 100000)",
                          f + R"(:7:20: webhook "chat": test_retry_scale: expected a number in (0, 1])",
                      }));
}

TEST(Config, StoryUpdatesDefaultToEachForJsonAndDigestForChatFormats)
{
    const TempDir dir;
    const auto path = dir.write("feedwatch.toml", R"([[webhook]]
name = "machine"
url = "https://example.org/hook"
[[webhook]]
name = "chat"
url = "https://hooks.example.org/x"
format = "discord"
[[webhook]]
name = "quiet"
url = "https://hooks.example.org/y"
format = "teams"
story_updates = "none"
[[webhook]]
name = "batched"
url = "https://example.org/batched"
story_updates = "digest"
digest_interval = "15m"
)");
    const auto config = load(path);
    ASSERT_TRUE(config) << ::testing::PrintToString(error_lines(config));
    EXPECT_EQ(config->webhooks[0].story_updates, "each");
    EXPECT_EQ(config->webhooks[0].digest_interval, std::chrono::minutes{5});
    EXPECT_EQ(config->webhooks[1].story_updates, "digest");
    EXPECT_EQ(config->webhooks[2].story_updates, "none");
    EXPECT_EQ(config->webhooks[3].story_updates, "digest");
    EXPECT_EQ(config->webhooks[3].digest_interval, std::chrono::minutes{15});
}

TEST(Config, ReportsBadStoryUpdatesAndDigestIntervalAtTheirValues)
{
    const TempDir dir;
    const auto path = dir.write("feedwatch.toml", R"([[webhook]]
name = "chat"
url = "https://hooks.example.org/x"
story_updates = "sometimes"
digest_interval = "soon"
[[webhook]]
name = "other"
url = "https://hooks.example.org/y"
story_updates = 1
)");
    const auto errors = error_lines(load(path));
    const std::string f = path.string();
    ASSERT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
    EXPECT_EQ(errors[0], f + R"(:4:17: webhook "chat": story_updates: "sometimes" is not one of each, digest, none)");
    EXPECT_EQ(errors[1].rfind(f + R"(:5:19: webhook "chat": digest_interval: invalid duration "soon")", 0), 0u)
        << errors[1];
    EXPECT_EQ(errors[2].rfind(f + ":9:17: ", 0), 0u) << errors[2];
}

TEST(Config, PrefersTheSystemdCredentialOfTheSameName)
{
    const TempDir dir;
    const TempDir credentials;
    dir.write("ops.secret", "from-file");
    credentials.write("ops.secret", "from-credential\n");
    const auto path = dir.write("feedwatch.toml", R"([[webhook]]
name = "ops"
url = "https://example.org/hook"
secret_file = "ops.secret"
[[webhook]]
name = "other"
url = "https://example.org/other"
secret_file = "other.secret"
)");
    dir.write("other.secret", "only-in-file");
    const ScopedEnv env("CREDENTIALS_DIRECTORY", credentials.path().string());
    const auto config = load_config(path);
    ASSERT_TRUE(config) << ::testing::PrintToString(error_lines(config));
    EXPECT_EQ(config->webhooks[0].secrets, std::vector<std::string>{"from-credential"});
    EXPECT_EQ(config->webhooks[1].secrets, std::vector<std::string>{"only-in-file"});
}

TEST(Config, ReportsUnreadableEmptyAndMalformedSecretsWithoutTheirBytes)
{
    const TempDir dir;
    dir.write("empty.secret", " \n");
    dir.write("bad.secret", "whsec_n0t!base64-Sekr1t");
    const auto path = dir.write("feedwatch.toml", R"([[webhook]]
name = "missing"
url = "https://example.org/a"
secret_file = "missing.secret"
[[webhook]]
name = "empty"
url = "https://example.org/b"
secret_file = "empty.secret"
[[webhook]]
name = "bad"
url = "https://example.org/c"
secret_file = "bad.secret"
)");
    const std::string f = path.string();
    const std::string d = dir.path().string();
    const auto lines = error_lines(load(path));
    EXPECT_EQ(lines, (std::vector<std::string>{
                         f + R"(:4:15: webhook "missing": secret_file: cannot read ")" + d +
                             R"(/missing.secret": No such file or directory)",
                         f + R"(:8:15: webhook "empty": secret_file: ")" + d + R"(/empty.secret" is empty)",
                         f + R"(:12:15: webhook "bad": secret_file: ")" + d +
                             R"(/bad.secret" starts with whsec_ but the rest is not base64)",
                     }));
    for (const auto& line : lines) {
        EXPECT_EQ(line.find("Sekr1t"), std::string::npos) << line;
    }
}

TEST(Config, FeedFilesAddTomlFeedListsByGlobAndOpmlOutlinesWithTheirFoldersAsTags)
{
    const TempDir dir;
    dir.write("feeds.d/a.toml", "[[feed]]\nurl = \"https://a.example/feed\"\ntags = [\"wires\"]\n");
    dir.write("feeds.d/b.toml", "[[feed]]\nurl = \"https://b.example/feed\"\ninterval = \"5m\"\n");
    dir.write("feeds.d/notes.txt", "not matched by the glob");
    dir.write("subscriptions.opml", R"(<opml version="2.0"><body>
<outline text="Courts"><outline type="rss" text="DOJ" xmlUrl="https://doj.example/rss"/></outline>
<outline type="rss" text="A again" xmlUrl="https://a.example/feed"/>
</body></opml>)");
    const auto path = dir.write("feedwatch.toml", R"(feed_files = ["feeds.d/*.toml", "subscriptions.opml"]
[daemon]
state_dir = "/tmp/x"
[[feed]]
url = "https://inline.example/feed"
)");
    const auto config = load(path);
    ASSERT_TRUE(config) << ::testing::PrintToString(error_lines(config));
    std::vector<std::string> urls;
    for (const auto& feed : config->feeds) {
        urls.push_back(feed.url);
    }
    EXPECT_EQ(urls, (std::vector<std::string>{"https://inline.example/feed", "https://a.example/feed",
                                              "https://b.example/feed", "https://doj.example/rss"}));
    EXPECT_EQ(config->feeds[1].tags, std::vector<std::string>{"wires"});
    EXPECT_EQ(config->feeds[2].interval, std::chrono::seconds{300});
    EXPECT_EQ(config->feeds[3].tags, std::vector<std::string>{"Courts"});
    EXPECT_EQ(config->feed_files.size(), 3u);
}

TEST(Config, FeedFilesReportPatternsThatMatchNothingAndBadEntriesWhereTheyAre)
{
    const TempDir dir;
    dir.write("feeds.d/bad.toml", "[[feed]]\nurl = \"ftp://old.example/feed\"\n");
    dir.write("broken.opml", "<opml><body><outline xmlUrl=");
    const auto path = dir.write("feedwatch.toml", R"(feed_files = ["feeds.d/*.toml", "none/*.toml", "broken.opml"]
[daemon]
state_dir = "/tmp/x"
)");
    const auto config = load(path);
    ASSERT_FALSE(config);
    std::string all;
    for (const auto& line : error_lines(config)) {
        all += line + "\n";
    }
    EXPECT_NE(all.find((dir.path() / "feeds.d/bad.toml").string() + ":2:"), std::string::npos) << all;
    EXPECT_NE(all.find("\"none/*.toml\" matches no file"), std::string::npos) << all;
    EXPECT_NE(all.find("broken.opml"), std::string::npos) << all;
    EXPECT_NE(all.find("not an OPML document"), std::string::npos) << all;
}

TEST(ConfigError, FormatsFileLineColumnAndOmitsUnknownParts)
{
    EXPECT_EQ((ConfigError{Location{"a.toml", 3, 7}, "bad"}).to_string(), "a.toml:3:7: bad");
    EXPECT_EQ((ConfigError{Location{"a.toml", 3, 0}, "bad"}).to_string(), "a.toml:3: bad");
    EXPECT_EQ((ConfigError{Location{"a.toml", 0, 0}, "bad"}).to_string(), "a.toml: bad");
}

}  // namespace
}  // namespace feedwatch::config
