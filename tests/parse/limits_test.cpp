// Hostile shapes: deep nesting, huge titles, 100k-item feeds. Generated inputs; these
// check completion and output (no crash, no stack overflow, no dropped items), not time.
// Quadratic behaviour would show as a CI timeout: 100k items parse in well under a second
// in a Release build.
#include <string>

#include <gtest/gtest.h>

#include "parse/html_text.hpp"
#include "test_util.hpp"

namespace feedwatch::parse {
namespace {

std::string repeat(std::string_view part, std::size_t count)
{
    std::string out;
    out.reserve(part.size() * count);
    for (std::size_t i = 0; i < count; ++i) {
        out.append(part);
    }
    return out;
}

TEST(Limits, HundredThousandItemsAllArriveWithUniqueIds)
{
    std::string items;
    items.reserve(100000 * 64);
    for (int i = 0; i < 100000; ++i) {
        items += "<item><title>t" + std::to_string(i) + "</title><guid>same</guid></item>";
    }
    const auto feed = test::parse_ok(test::rss(items));
    ASSERT_EQ(feed.items.size(), 100000u);
    EXPECT_EQ(feed.items[0].id, "same");
    EXPECT_EQ(feed.items[1].id, "same#2");
    EXPECT_EQ(feed.items[99999].id, "same#100000");
    EXPECT_EQ(feed.items[99999].title, "t99999");
}

TEST(Limits, DeeplyNestedXmlInsideAnItemDoesNotOverflowTheStack)
{
    const std::string deep = repeat("<x>", 200000) + "deep" + repeat("</x>", 200000);
    const auto feed = test::parse_ok(test::rss("<item><title>ok</title><description>" + deep + "</description></item>"));
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].title, "ok");
    EXPECT_EQ(feed.items[0].text, "deep");
}

TEST(Limits, DeeplyNestedEscapedHtmlFallsBackToTheLinearStripper)
{
    const std::string deep = repeat("&lt;div&gt;&lt;table&gt;", 50000) + "word";
    const auto feed = test::parse_ok(test::rss("<item><title>ok</title><description>" + deep + "</description></item>"));
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].text, "word");
}

TEST(Limits, HugeTitleIsKeptWhole)
{
    const std::string word = "harbor ";
    const std::string title = repeat(word, 1 << 20);  // 7 MiB
    const auto feed = test::parse_ok(test::rss("<item><title>" + title + "</title></item>"));
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].title.size(), title.size() - 1);  // trailing space trimmed
}

TEST(Limits, ManyEntitiesAndUrlsResolveInLinearPasses)
{
    const std::string body = repeat("&lt;a href=\"p/x\"&gt;a&amp;amp;b&lt;/a&gt; ", 100000);
    const auto feed = test::parse_ok(test::rss("<item><description>" + body + "</description></item>"),
                                     ParseOptions{"", "https://gazette.example/feed/"});
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_NE(feed.items[0].summary.find("href=\"https://gazette.example/feed/p/x\""), std::string::npos);
    EXPECT_EQ(feed.items[0].text.substr(0, 12), "a&b a&b a&b ");
}

TEST(Limits, DeepJsonIsRefusedBeforeParsing)
{
    const std::string deep = R"({"version":"https://jsonfeed.org/version/1.1","items":[)" + repeat("[", 100000) +
                             repeat("]", 100000) + "]}";
    const auto result = parse_feed(deep);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().detail.find("deeper"), std::string::npos);
}

}  // namespace
}  // namespace feedwatch::parse
