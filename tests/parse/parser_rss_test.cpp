#include <gtest/gtest.h>

#include "core/digest.hpp"
#include "core/time.hpp"
#include "parse/parser.hpp"
#include "test_util.hpp"

namespace feedwatch::parse {
namespace {

using test::parse_ok;
using test::rss;

std::string rfc3339(const std::optional<core::Instant>& instant)
{
    return instant ? core::format_rfc3339(*instant) : "(none)";
}

TEST(Rss, ReadsChannelAndItemFields)
{
    const std::string doc = rss(R"(
      <item>
        <title>Ferry schedule changes</title>
        <link>https://gazette.example/ferry</link>
        <guid isPermaLink="false">gazette-1001</guid>
        <pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate>
        <dc:creator>Ada Quill</dc:creator>
        <description>&lt;p&gt;The &lt;b&gt;ferry&lt;/b&gt; runs later.&lt;/p&gt;</description>
        <content:encoded><![CDATA[<p>The <b>ferry</b> now runs until midnight.</p>]]></content:encoded>
        <category>Transport</category><category>Harbor</category>
        <enclosure url="https://gazette.example/ferry.mp3" type="audio/mpeg" length="12345"/>
      </item>)",
                                "<language>en-gb</language><generator>HandPress 2</generator>"
                                "<lastBuildDate>Tue, 10 Jun 2025 05:00:00 +0000</lastBuildDate>"
                                "<managingEditor>desk@gazette.example (News Desk)</managingEditor>"
                                "<image><url>https://gazette.example/logo.png</url></image>");
    const model::ParsedFeed feed = parse_ok(doc);
    EXPECT_EQ(feed.format, "rss2.0");
    EXPECT_EQ(feed.encoding, "utf-8");
    EXPECT_FALSE(feed.malformed);
    EXPECT_EQ(feed.feed.title, "Harbor Gazette");
    EXPECT_EQ(feed.feed.link, "https://gazette.example/");
    EXPECT_EQ(feed.feed.subtitle, "News from the harbor");
    EXPECT_EQ(feed.feed.language, "en-gb");
    EXPECT_EQ(feed.feed.generator, "HandPress 2");
    EXPECT_EQ(feed.feed.author, "desk@gazette.example (News Desk)");
    EXPECT_EQ(feed.feed.image, "https://gazette.example/logo.png");
    EXPECT_EQ(rfc3339(feed.feed.updated), "2025-06-10T05:00:00Z");
    ASSERT_EQ(feed.items.size(), 1u);
    const model::Item& item = feed.items[0];
    EXPECT_EQ(item.id, "gazette-1001");
    EXPECT_EQ(item.title, "Ferry schedule changes");
    EXPECT_EQ(item.link, "https://gazette.example/ferry");
    EXPECT_EQ(rfc3339(item.published), "2025-06-10T04:00:00Z");
    EXPECT_EQ(item.author, "Ada Quill");
    EXPECT_EQ(item.summary, "<p>The <b>ferry</b> runs later.</p>");
    EXPECT_EQ(item.content, "<p>The <b>ferry</b> now runs until midnight.</p>");
    EXPECT_EQ(item.text, "The ferry now runs until midnight.");
    EXPECT_EQ(item.categories, (std::vector<std::string>{"Transport", "Harbor"}));
    ASSERT_EQ(item.enclosures.size(), 1u);
    EXPECT_EQ(item.enclosures[0].url, "https://gazette.example/ferry.mp3");
    EXPECT_EQ(item.enclosures[0].type, "audio/mpeg");
    EXPECT_EQ(item.enclosures[0].length, 12345u);
}

TEST(Rss, TextFallsBackToSummaryWhenNoContent)
{
    const auto feed = parse_ok(rss("<item><title>t</title><description>Gulls &lt;i&gt;everywhere&lt;/i&gt;</description></item>"));
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].text, "Gulls everywhere");
}

TEST(Rss, RecognisesOlderVersionsAndRdf)
{
    EXPECT_EQ(parse_ok("<rss version=\"0.91\"><channel><title>x</title></channel></rss>").format, "rss0.91");
    EXPECT_EQ(parse_ok("<rss version=\"0.92\"><channel><title>x</title></channel></rss>").format, "rss0.92");
    const auto rdf = parse_ok(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://tide.example/"><title>Tide Tables</title><link>https://tide.example/</link></channel>
      <item rdf:about="https://tide.example/low"><title>Low tide at noon</title><link>https://tide.example/low</link>
        <dc:date>2025-03-01T12:00:00+01:00</dc:date><dc:subject>Tides</dc:subject></item>
    </rdf:RDF>)");
    EXPECT_EQ(rdf.format, "rss1.0");
    EXPECT_EQ(rdf.feed.title, "Tide Tables");
    ASSERT_EQ(rdf.items.size(), 1u);
    EXPECT_EQ(rdf.items[0].id, "https://tide.example/low");
    EXPECT_EQ(rfc3339(rdf.items[0].published), "2025-03-01T11:00:00Z");
    EXPECT_EQ(rdf.items[0].categories, std::vector<std::string>{"Tides"});
}

TEST(Rss, ResolvesRelativeLinksAgainstBase)
{
    ParseOptions options;
    options.base_url = "https://gazette.example/news/feed.xml";
    const auto feed = parse_ok(rss(R"(<item><title>a</title><link>../stories/1.html</link>
        <enclosure url="/media/1.jpg" type="image/jpeg" length="1"/></item>
        <item xml:base="https://mirror.example/archive/"><title>b</title><link>2.html</link></item>)"),
                               options);
    ASSERT_EQ(feed.items.size(), 2u);
    EXPECT_EQ(feed.items[0].link, "https://gazette.example/stories/1.html");
    EXPECT_EQ(feed.items[0].enclosures.at(0).url, "https://gazette.example/media/1.jpg");
    EXPECT_EQ(feed.items[1].link, "https://mirror.example/archive/2.html");
}

TEST(Rss, MissingGuidFallsBackToLinkThenHash)
{
    const auto feed = parse_ok(rss(R"(<item><title>Linked</title><link>https://gazette.example/l</link></item>
        <item><title>Unlinked</title><pubDate>Wed, 11 Jun 2025 08:00:00 GMT</pubDate><description>Body</description></item>)"));
    ASSERT_EQ(feed.items.size(), 2u);
    EXPECT_EQ(feed.items[0].id, "https://gazette.example/l");
    EXPECT_EQ(feed.items[1].id, "sha256:" + core::sha256_hex("Unlinked\n2025-06-11T08:00:00Z\nBody"));
    // Deterministic across parses.
    EXPECT_EQ(parse_ok(rss(R"(<item><title>Unlinked</title><pubDate>Wed, 11 Jun 2025 08:00:00 GMT</pubDate><description>Body</description></item>)"))
                  .items.at(0).id,
              feed.items[1].id);
}

TEST(Rss, DuplicateIdsGetNumberedSuffixes)
{
    const auto feed = parse_ok(rss(R"(<item><guid>same</guid><title>1</title></item>
        <item><guid>same</guid><title>2</title></item><item><guid>same</guid><title>3</title></item>
        <item><guid>same#2</guid><title>4</title></item>)"));
    ASSERT_EQ(feed.items.size(), 4u);
    EXPECT_EQ(feed.items[0].id, "same");
    EXPECT_EQ(feed.items[1].id, "same#2");
    EXPECT_EQ(feed.items[2].id, "same#3");
    EXPECT_EQ(feed.items[3].id, "same#2#2");
}

TEST(Rss, PermalinkGuidServesAsLink)
{
    const auto feed = parse_ok(rss("<item><guid>https://gazette.example/p/9</guid><title>x</title></item>"));
    EXPECT_EQ(feed.items.at(0).link, "https://gazette.example/p/9");
}

TEST(Rss, StripsHtmlFromTitleAndDecodesEntities)
{
    const auto feed = parse_ok(rss(
        "<item><title>&lt;b&gt;Storm&lt;/b&gt; warning &amp;amp; closures&nbsp;&hellip;</title></item>"
        "<item><title><![CDATA[Quay <em>reopens</em> &eacute;t&eacute;]]></title></item>"));
    ASSERT_EQ(feed.items.size(), 2u);
    EXPECT_EQ(feed.items[0].title, "Storm warning & closures\u00a0\u2026");
    EXPECT_EQ(feed.items[1].title, "Quay reopens \u00e9t\u00e9");
}

TEST(Rss, HtmlEntitiesInXmlAreDecoded)
{
    const auto feed = parse_ok(rss("<item><title>Caf&eacute;&nbsp;news&hellip; &copy;&mdash;ok</title>"
                                   "<description>a&#0;b &#xD800;c &#x110000;d</description></item>"));
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].title, "Caf\u00e9\u00a0news\u2026 \u00a9\u2014ok");
    EXPECT_EQ(feed.items[0].summary, "a\uFFFDb \uFFFDc \uFFFDd");
}

TEST(Rss, TitleKeepsNoBreakSpaceBetweenCollapsedSpaces)
{
    // A publisher's &nbsp; is part of the title; only ASCII whitespace runs collapse.
    // The matching text still treats it as a space.
    const auto feed = parse_ok(rss("<item><title>tide  \n &nbsp; tables</title>"
                                   "<description>tide&nbsp;&nbsp;tables</description></item>"));
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].title, "tide \u00a0 tables");
    EXPECT_EQ(feed.items[0].text, "tide tables");
}

TEST(Rss, ScriptAndStyleAreDroppedFromText)
{
    const auto feed = parse_ok(rss(R"(<item><title>t</title><content:encoded><![CDATA[
        <style>p { color: red }</style><p>Pier</p><script>alert("x")</script><p>closed</p>]]></content:encoded></item>)"));
    EXPECT_EQ(feed.items.at(0).text, "Pier closed");
}

TEST(Rss, UnescapedMarkupInDescriptionIsKept)
{
    const auto feed = parse_ok(rss("<item><title>t</title><description><p>Raw <b>markup</b></p></description></item>"));
    EXPECT_EQ(feed.items.at(0).summary, "<p>Raw <b>markup</b></p>");
    EXPECT_EQ(feed.items.at(0).text, "Raw markup");
}

TEST(Parser, RejectsDocumentsThatAreNotFeeds)
{
    const auto expect_parse_error = [](std::string_view doc, std::string_view fragment) {
        const auto result = parse_feed(doc);
        ASSERT_FALSE(result) << doc;
        EXPECT_EQ(result.error().code, core::ErrorCode::parse);
        EXPECT_NE(result.error().detail.find(fragment), std::string::npos) << result.error().detail;
    };
    expect_parse_error("", "empty");
    expect_parse_error("   \n ", "empty");
    expect_parse_error(R"({"version":"2.0","items":[]})", "JSON");
    expect_parse_error(R"({"version":"https://jsonfeed.org/version/1.1",)", "JSON");
    expect_parse_error("<!DOCTYPE html><html><head><title>Harbor</title></head><body><p>Hi</body></html>", "HTML");
    expect_parse_error("<?xml version=\"1.0\"?><opml version=\"2.0\"><body/></opml>", "opml");
    expect_parse_error("plain text", "markup");
}

}  // namespace
}  // namespace feedwatch::parse
