#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "parse/feed_json.hpp"
#include "parse/parser.hpp"
#include "test_util.hpp"

namespace feedwatch::parse {
namespace {

TEST(FeedJson, HasTheDocumentedShape)
{
    const auto feed = test::parse_ok(test::rss(R"(<item><title>Ferry</title><guid>g1</guid>
        <pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate><category>Transport</category>
        <enclosure url="https://gazette.example/a.mp3" type="audio/mpeg" length="10"/></item>)"));
    const auto json = nlohmann::json::parse(to_json(feed));
    EXPECT_EQ(json["format"], "rss2.0");
    EXPECT_EQ(json["encoding"], "utf-8");
    EXPECT_EQ(json["malformed"], false);
    EXPECT_TRUE(json["errors"].is_array());
    EXPECT_EQ(json["feed"]["title"], "Harbor Gazette");
    EXPECT_FALSE(json["feed"].contains("updated"));  // absent when empty
    EXPECT_FALSE(json["feed"].contains("image"));
    ASSERT_EQ(json["items"].size(), 1u);
    const auto& item = json["items"][0];
    EXPECT_EQ(item["id"], "g1");
    EXPECT_EQ(item["published"], "2025-06-10T04:00:00Z");
    EXPECT_EQ(item["categories"], nlohmann::json::array({"Transport"}));
    EXPECT_EQ(item["enclosures"][0]["url"], "https://gazette.example/a.mp3");
    EXPECT_EQ(item["enclosures"][0]["length"], 10);
    EXPECT_FALSE(item.contains("content"));
    EXPECT_FALSE(item.contains("updated"));
}

TEST(FeedJson, AlwaysHasTopLevelKeysAndNeverThrowsOnBadUtf8)
{
    model::ParsedFeed feed;
    feed.feed.title = "bad \xff byte";
    const auto json = nlohmann::json::parse(to_json(feed));
    for (const char* key : {"format", "encoding", "malformed", "errors", "feed", "items"}) {
        EXPECT_TRUE(json.contains(key)) << key;
    }
    EXPECT_EQ(json["feed"]["title"], "bad \uFFFD byte");
}

}  // namespace
}  // namespace feedwatch::parse
