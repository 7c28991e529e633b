#include <gtest/gtest.h>

#include "core/time.hpp"
#include "parse/parser.hpp"
#include "test_util.hpp"

namespace feedwatch::parse {
namespace {

using test::parse_ok;

std::string rfc3339(const std::optional<core::Instant>& instant)
{
    return instant ? core::format_rfc3339(*instant) : "(none)";
}

TEST(Atom, ReadsFeedAndEntryFields)
{
    const auto feed = parse_ok(test::read_data_file("atom_basic.xml"));
    EXPECT_EQ(feed.format, "atom1.0");
    EXPECT_FALSE(feed.malformed);
    EXPECT_EQ(feed.feed.title, "Lighthouse Log");
    EXPECT_EQ(feed.feed.subtitle, "Weather & shipping");
    EXPECT_EQ(feed.feed.id, "urn:uuid:6a1f0c9e-0000-4000-8000-lighthouse");
    EXPECT_EQ(feed.feed.link, "https://lighthouse.example/");
    EXPECT_EQ(feed.feed.language, "en");
    EXPECT_EQ(feed.feed.author, "Keeper Morrow");
    EXPECT_EQ(feed.feed.generator, "Quillfeed");
    EXPECT_EQ(feed.feed.image, "https://lighthouse.example/logo.png");
    EXPECT_EQ(rfc3339(feed.feed.updated), "2025-05-02T09:30:00Z");
    ASSERT_EQ(feed.items.size(), 3u);

    const model::Item& first = feed.items[0];
    EXPECT_EQ(first.id, "tag:lighthouse.example,2025:fog");
    EXPECT_EQ(first.title, "Fog horn test on Friday");
    EXPECT_EQ(first.link, "https://lighthouse.example/2025/fog");
    EXPECT_EQ(rfc3339(first.published), "2025-05-01T06:00:00Z");
    EXPECT_EQ(rfc3339(first.updated), "2025-05-02T09:30:00Z");
    EXPECT_EQ(first.author, "Keeper Morrow");  // inherited from the feed
    EXPECT_EQ(first.summary, "The horn will sound <em>twice</em>.");
    EXPECT_EQ(first.content, "<p>The horn will sound at <b>noon</b>.</p>");
    EXPECT_EQ(first.text, "The horn will sound at noon.");
    EXPECT_EQ(first.categories, (std::vector<std::string>{"notices", "fog"}));
    ASSERT_EQ(first.enclosures.size(), 1u);
    EXPECT_EQ(first.enclosures[0].url, "https://lighthouse.example/audio/horn.ogg");
    EXPECT_EQ(first.enclosures[0].length, 2048u);

    const model::Item& second = feed.items[1];
    EXPECT_EQ(second.author, "Deputy Lane");
    EXPECT_EQ(second.title, "Beacon <lamp> replaced");  // type="text": no markup stripping
    EXPECT_EQ(second.link, "https://lighthouse.example/posts/beacon");  // relative, xml:base
    EXPECT_NE(second.content.find("<p>New lamp</p>"), std::string::npos);  // xhtml serialised
    EXPECT_EQ(second.text, "New lamp fitted.");

    EXPECT_EQ(feed.items[2].title, "Plain");
    EXPECT_EQ(feed.items[2].text, "Tides & times");
}

TEST(Atom, AcceptsDraft03)
{
    const auto feed = parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
      <title>Old Log</title><tagline>still here</tagline><modified>2004-01-01T00:00:00Z</modified>
      <entry><title>One</title><id>urn:old:1</id><issued>2003-12-31T10:14:55-05:00</issued>
        <content type="text/html" mode="escaped">&lt;p&gt;hi&lt;/p&gt;</content></entry></feed>)");
    EXPECT_EQ(feed.format, "atom0.3");
    EXPECT_EQ(feed.feed.subtitle, "still here");
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(rfc3339(feed.items[0].published), "2003-12-31T15:14:55Z");
    EXPECT_EQ(feed.items[0].text, "hi");
}

TEST(Atom, ResolvesRelativeLinksAgainstDocumentUrl)
{
    ParseOptions options;
    options.base_url = "https://log.example/feeds/all.atom";
    const auto feed = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
      <link href="/"/><entry><id>1</id><title>a</title><link rel="alternate" href="posts/a?x=1#top"/></entry></feed>)",
                               options);
    EXPECT_EQ(feed.feed.link, "https://log.example/");
    EXPECT_EQ(feed.items.at(0).link, "https://log.example/feeds/posts/a?x=1#top");
}

TEST(Atom, PathReferenceIdsResolveAgainstBase)
{
    const std::string document = R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://tide.example/log/">
<id>/feeds/tide</id><title>Tides</title>
<entry><id>../entries/7</id><title>seven</title></entry>
<entry xml:base="https://other.example/"><id>/entries/8</id><title>eight</title></entry>
<entry><id>entry-9</id><title>nine</title></entry>
<entry><id>tag:tide.example,2026:10</id><title>ten</title></entry>
</feed>)";
    const auto feed = parse_ok(document);
    EXPECT_EQ(feed.feed.id, "https://tide.example/feeds/tide");
    ASSERT_EQ(feed.items.size(), 4u);
    EXPECT_EQ(feed.items[0].id, "https://tide.example/entries/7");
    EXPECT_EQ(feed.items[1].id, "https://other.example/entries/8");
    EXPECT_EQ(feed.items[2].id, "entry-9");  // opaque, not a path: left alone
    EXPECT_EQ(feed.items[3].id, "tag:tide.example,2026:10");

    // Without xml:base the document URL is the base; without either, the id stays.
    ParseOptions options;
    options.base_url = "https://tide.example/atom.xml";
    const std::string bare = R"(<feed xmlns="http://www.w3.org/2005/Atom"><id>/feeds/tide</id></feed>)";
    EXPECT_EQ(parse_ok(bare, options).feed.id, "https://tide.example/feeds/tide");
    EXPECT_EQ(parse_ok(bare).feed.id, "/feeds/tide");
}

TEST(Atom, MediaDescriptionIsTheSummaryWhenThereIsNone)
{
    const std::string document = R"(<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<entry><id>a</id><title>clip</title><media:group><media:title>clip</media:title>
<media:description type="plain">Gulls over   the pier</media:description></media:group></entry>
<entry><id>b</id><title>clip 2</title><media:description type="html">&lt;p&gt;Low &amp;amp; tide&lt;/p&gt;</media:description></entry>
<entry><id>c</id><title>c</title><summary>own summary</summary><media:description>not this</media:description></entry>
</feed>)";
    const auto feed = parse_ok(document);
    ASSERT_EQ(feed.items.size(), 3u);
    EXPECT_EQ(feed.items[0].summary, "Gulls over   the pier");
    EXPECT_EQ(feed.items[0].text, "Gulls over the pier");
    EXPECT_EQ(feed.items[1].summary, "<p>Low &amp; tide</p>");
    EXPECT_EQ(feed.items[1].text, "Low & tide");
    EXPECT_EQ(feed.items[2].summary, "own summary");
}

TEST(Atom, Draft03XmlModeKeepsItsDivAndAtom10DropsTheWrapper)
{
    const auto draft = parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><id>x</id>
<content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><b>Ebb</b></div></content>
</entry></feed>)");
    EXPECT_EQ(draft.items.at(0).content, "<div><b>Ebb</b></div>");
    const auto atom = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>Ebb</b></div></content></entry></feed>)");
    EXPECT_EQ(atom.items.at(0).content, "<b>Ebb</b>");
}

TEST(Atom, InlineSvgAndMathmlKeepTheirNamespacesForHtml)
{
    // Prefixed SVG with an XLink attribute declared on the entry, and MathML by default
    // namespace: HTML needs xmlns on the foreign root and xmlns:xlink where it is used.
    const auto feed = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom">
<entry xmlns:xl="http://www.w3.org/1999/xlink" xmlns:s="http://www.w3.org/2000/svg"><id>a</id>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Buoy <br/><span/></p><s:svg width="9" height="4"><s:a xl:href="https://buoy.example/"><s:rect y="1" x="2"/></s:a></s:svg></div></content></entry>
<entry><id>b</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><math xmlns="http://www.w3.org/1998/Math/MathML"><mi>k</mi></math></div></content></entry>
</feed>)");
    ASSERT_EQ(feed.items.size(), 2u);
    EXPECT_EQ(feed.items[0].content,
              "<p>Buoy <br /><span></span></p>"
              "<svg height=\"4\" width=\"9\" xmlns=\"http://www.w3.org/2000/svg\">"
              "<a xlink:href=\"https://buoy.example/\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
              "<rect x=\"2\" y=\"1\"></rect></a></svg>");
    EXPECT_EQ(feed.items[1].content, "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>k</mi></math>");
}

}  // namespace
}  // namespace feedwatch::parse
