// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/).
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace feedwatch::parse {
namespace {

TEST(JsonFeed, ReadsVersionOneOneItemsWithAuthorsTagsAndAttachments)
{
    const auto feed = test::parse_ok(test::read_data_file("jsonfeed_1_1.json"));
    EXPECT_EQ(feed.format, "jsonfeed1.1");
    EXPECT_EQ(feed.feed.title, "Harbor Gazette");
    EXPECT_EQ(feed.feed.link, "https://gazette.example/");
    ASSERT_EQ(feed.items.size(), 2u);
    const auto& first = feed.items[0];
    EXPECT_EQ(first.id, "2024-05-01-ferry");
    EXPECT_EQ(first.link, "https://gazette.example/2024/ferry");
    EXPECT_EQ(first.title, "Ferry timetable changes");
    EXPECT_EQ(core::format_rfc3339(*first.published), "2024-05-01T06:30:00Z");
    EXPECT_EQ(first.author, "Ines Marsh");
    EXPECT_EQ(first.content, "<p>New <a href=\"https://gazette.example/timetable\">times</a> from June.</p>");
    EXPECT_EQ(first.text, "New times from June.");
    EXPECT_EQ(first.categories, (std::vector<std::string>{"ferry", "transport"}));
    ASSERT_EQ(first.enclosures.size(), 1u);
    EXPECT_EQ(first.enclosures[0].url, "https://gazette.example/audio/ferry.mp3");
    EXPECT_EQ(first.enclosures[0].length, 48213u);
    // Second item: numeric id, content_text only, feed author inherited.
    EXPECT_EQ(feed.items[1].id, "42");
    EXPECT_EQ(feed.items[1].text, "Plain text body.");
    EXPECT_EQ(feed.items[1].author, "Gazette desk");
}

TEST(JsonFeed, VersionOneZeroUsesTheSingularAuthor)
{
    const auto feed = test::parse_ok(
        R"({"version":"https://jsonfeed.org/version/1","title":"T","author":{"name":"Old Style"},)"
        R"("items":[{"id":"a","content_text":"x","date_published":"2017-05-17T08:02:12-07:00"}]})");
    EXPECT_EQ(feed.format, "jsonfeed1.0");
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].author, "Old Style");
    EXPECT_EQ(core::format_rfc3339(*feed.items[0].published), "2017-05-17T15:02:12Z");
}

TEST(JsonFeed, WrongTypesAreIgnoredNotFatal)
{
    const auto feed = test::parse_ok(
        R"json({"version":"https://jsonfeed.org/version/1.1","title":7,"items":[{"id":null,"url":"javascript:alert(1)",)json"
        R"json("title":["x"],"tags":"notalist","attachments":[{"url":5}]},"notanobject"]})json");
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_TRUE(feed.items[0].link.empty());
    EXPECT_FALSE(feed.items[0].id.empty());  // fallback id
}

}  // namespace
}  // namespace feedwatch::parse
