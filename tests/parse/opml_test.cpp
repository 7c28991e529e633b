#include "parse/opml.hpp"

#include <gtest/gtest.h>

namespace feedwatch::parse {
namespace {

const std::string k_export = R"(<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Courts">
      <outline text="Federal" title="Federal courts">
        <outline type="rss" text="DOJ press" xmlUrl=" https://www.justice.gov/news/rss " htmlUrl="https://www.justice.gov/"/>
      </outline>
      <outline type="rss" title="Court wire" text="ignored when a title exists" xmlUrl="https://courts.example/feed.xml"/>
    </outline>
    <outline type="rss" text="Top level" xmlUrl="http://top.example/rss"/>
    <outline text="A folder without feeds"/>
    <outline type="rss" text="DOJ again" xmlUrl="https://www.justice.gov/news/rss"/>
  </body>
</opml>)";

TEST(Opml, EveryOutlineWithAnXmlUrlInDocumentOrderWithItsCategories)
{
    const auto feeds = read_opml(k_export);
    ASSERT_TRUE(feeds) << feeds.error().detail;
    ASSERT_EQ(feeds->size(), 4u);
    EXPECT_EQ((*feeds)[0].url, "https://www.justice.gov/news/rss");  // trimmed
    EXPECT_EQ((*feeds)[0].title, "DOJ press");
    EXPECT_EQ((*feeds)[0].categories, (std::vector<std::string>{"Courts", "Federal courts"}));
    EXPECT_EQ((*feeds)[0].line, 7);
    EXPECT_EQ((*feeds)[1].title, "Court wire");
    EXPECT_EQ((*feeds)[1].categories, std::vector<std::string>{"Courts"});
    EXPECT_TRUE((*feeds)[2].categories.empty());
    EXPECT_EQ((*feeds)[3].url, (*feeds)[0].url);  // duplicates are kept; the caller decides
}

TEST(Opml, ABrokenDocumentFailsWithAParseError)
{
    const auto truncated = read_opml(k_export.substr(0, k_export.size() / 2));
    ASSERT_FALSE(truncated);
    EXPECT_EQ(truncated.error().code, core::ErrorCode::parse);
    EXPECT_FALSE(read_opml("<rss version=\"2.0\"><channel/></rss>"));  // a feed is not a subscription list
    EXPECT_FALSE(read_opml(""));
}

TEST(Opml, AnEmptyBodyIsAnEmptyList)
{
    const auto feeds = read_opml("<opml version=\"1.0\"><head/><body/></opml>");
    ASSERT_TRUE(feeds) << feeds.error().detail;
    EXPECT_TRUE(feeds->empty());
}

}  // namespace
}  // namespace feedwatch::parse
