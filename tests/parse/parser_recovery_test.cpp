#include <gtest/gtest.h>

#include "parse/parser.hpp"
#include "test_util.hpp"

namespace feedwatch::parse {
namespace {

using test::parse_ok;

TEST(Recovery, TruncatedDocumentKeepsOnlyCompleteItems)
{
    const std::string doc = test::read_data_file("truncated.xml");
    const auto feed = parse_ok(doc);
    EXPECT_TRUE(feed.malformed);
    ASSERT_FALSE(feed.errors.empty());
    EXPECT_EQ(feed.errors[0].rfind("offset ", 0), 0u) << feed.errors[0];
    ASSERT_EQ(feed.items.size(), 2u);
    EXPECT_EQ(feed.items[0].title, "Market opens early");
    EXPECT_EQ(feed.items[1].title, "Bridge repainted");
    EXPECT_EQ(feed.feed.title, "Quayside Daily");
}

TEST(Recovery, LastItemClosedBeforeErrorIsKept)
{
    const auto feed = parse_ok(test::rss("<item><title>one</title></item><item><title>two</title></item><bad <<"));
    EXPECT_TRUE(feed.malformed);
    ASSERT_EQ(feed.items.size(), 2u);
    EXPECT_EQ(feed.items[1].title, "two");
}

TEST(Recovery, EveryPrefixOfAFeedParsesOrFailsCleanly)
{
    const std::string doc = test::read_data_file("truncated.xml");
    for (std::size_t length = 0; length <= doc.size(); length += 7) {
        const auto result = parse_feed(std::string_view(doc).substr(0, length));
        if (result) {
            for (const auto& item : result->items) {
                EXPECT_FALSE(item.id.empty());
            }
        } else {
            EXPECT_EQ(result.error().code, core::ErrorCode::parse);
        }
    }
}

TEST(Recovery, RawNulIsReplacedNotTruncating)
{
    using namespace std::string_literals;
    const auto feed = parse_ok(test::rss("<item><title>a\0b</title></item><item><title>c</title></item>"s));
    EXPECT_TRUE(feed.malformed);
    ASSERT_EQ(feed.items.size(), 2u);
    EXPECT_EQ(feed.items[0].title, "a\uFFFDb");
}

}  // namespace
}  // namespace feedwatch::parse
