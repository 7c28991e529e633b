#include <gtest/gtest.h>

#include "parse/encoding.hpp"
#include "parse/parser.hpp"
#include "test_util.hpp"

namespace feedwatch::parse {
namespace {

using test::parse_ok;

TEST(Encoding, DecodesWindows1252Document)
{
    const auto feed = parse_ok(test::read_data_file("windows1252.xml"));
    EXPECT_EQ(feed.encoding, "windows-1252");
    EXPECT_FALSE(feed.malformed);
    EXPECT_EQ(feed.feed.title, "Caf\u00e9 \u201cCorner\u201d");
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].title, "Cr\u00e8me br\u00fbl\u00e9e \u2013 \u20ac3");
    EXPECT_EQ(feed.items[0].text, "Na\u00efve \u2026 prices");
}

TEST(Encoding, DecodesIso88591Document)
{
    const auto feed = parse_ok(test::read_data_file("iso8859_1.xml"));
    EXPECT_EQ(feed.encoding, "iso-8859-1");
    EXPECT_EQ(feed.feed.title, "M\u00fcnster B\u00fchne");
    EXPECT_EQ(feed.items.at(0).title, "Gr\u00fc\u00dfe aus K\u00f6ln");
}

TEST(Encoding, DecodesUtf16WithByteOrderMark)
{
    const auto feed = parse_ok(test::read_data_file("utf16le_bom.xml"));
    EXPECT_EQ(feed.encoding, "utf-16le");
    EXPECT_EQ(feed.feed.title, "\u6e2f\u306e\u30cb\u30e5\u30fc\u30b9");
    EXPECT_EQ(feed.items.at(0).title, "\u8239\u304c\u5230\u7740");
}

TEST(Encoding, DetectsUtf32WithoutByteOrderMark)
{
    const std::u32string text = U"<rss version=\"2.0\"><channel><title>\u00e9t\u00e9</title></channel></rss>";
    std::string bytes;
    for (const char32_t c : text) {
        for (int shift = 0; shift < 32; shift += 8) {
            bytes.push_back(static_cast<char>((static_cast<std::uint32_t>(c) >> shift) & 0xFF));
        }
    }
    const auto feed = parse_ok(bytes);
    EXPECT_EQ(feed.encoding, "utf-32le");
    EXPECT_EQ(feed.feed.title, "\u00e9t\u00e9");
}

TEST(Encoding, HttpCharsetOverridesDeclaration)
{
    ParseOptions options;
    options.content_type = "application/rss+xml; charset=\"ISO-8859-1\"";
    const auto feed = parse_ok("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>Z\xfcrich</title></channel></rss>",
                               options);
    EXPECT_EQ(feed.encoding, "iso-8859-1");
    EXPECT_EQ(feed.feed.title, "Z\u00fcrich");
    EXPECT_FALSE(feed.malformed);
}

TEST(Encoding, DeclaredUtf8ButNotIsDecodedAsWindows1252AndFlagged)
{
    const auto feed = parse_ok("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>Caf\xe9 \x93quote\x94</title>"
                               "</channel></rss>");
    EXPECT_TRUE(feed.malformed);
    EXPECT_EQ(feed.encoding, "windows-1252");
    EXPECT_EQ(feed.feed.title, "Caf\u00e9 \u201cquote\u201d");
    ASSERT_FALSE(feed.errors.empty());
    EXPECT_NE(feed.errors[0].find("windows-1252"), std::string::npos);
}

TEST(Encoding, HttpUtf8ClaimYieldsToDeclarationWhenBytesDisagree)
{
    ParseOptions options;
    options.content_type = "text/xml; charset=utf-8";
    const auto feed = parse_ok("<?xml version=\"1.0\" encoding=\"iso-8859-15\"?><rss><channel><title>\xa4 5</title>"
                               "</channel></rss>",
                               options);
    EXPECT_EQ(feed.encoding, "iso-8859-15");
    EXPECT_EQ(feed.feed.title, "\u20ac 5");
}

TEST(Encoding, Utf16LabelOnAsciiDocumentIsReadAsUtf8)
{
    const auto feed = parse_ok("<?xml version=\"1.0\" encoding=\"utf-16\"?><rss><channel><title>ok \xc3\xa9</title></channel></rss>");
    EXPECT_EQ(feed.encoding, "utf-8");
    EXPECT_EQ(feed.feed.title, "ok \u00e9");
}

TEST(Encoding, ExtractsCharsetFromContentType)
{
    EXPECT_EQ(charset_from_content_type("text/xml; charset=UTF-8"), "utf-8");
    EXPECT_EQ(charset_from_content_type("application/xml;charset=\"windows-1252\"; q=1"), "windows-1252");
    EXPECT_EQ(charset_from_content_type("application/atom+xml"), "");
}

TEST(Encoding, ReadsXmlDeclaration)
{
    EXPECT_EQ(declared_xml_encoding("<?xml version='1.0' encoding='KOI8-R'?><a/>"), "koi8-r");
    EXPECT_EQ(declared_xml_encoding("<?xml version=\"1.0\"?><a/>"), "");
    EXPECT_EQ(declared_xml_encoding("<a/>"), "");
}

TEST(Encoding, InvalidSequencesInOtherEncodingsBecomeReplacementCharacters)
{
    const DecodedDocument decoded = decode_to_utf8("<a>\x82\xa0\xff</a>", "text/xml; charset=shift_jis");
    EXPECT_TRUE(decoded.malformed);
    EXPECT_TRUE(is_valid_utf8(decoded.text));
}

TEST(Encoding, ValidatesUtf8Strictly)
{
    EXPECT_TRUE(is_valid_utf8("plain \xc3\xa9 \xf0\x9f\x98\x80"));
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
    EXPECT_EQ(repair_utf8("a\xffz"), "a\uFFFDz");
}

}  // namespace
TEST(Encoding, C1ControlsBecomeWindows1252Punctuation)
{
    // U+0092 as raw UTF-8 (C2 92) and as a reference: both were meant as cp1252's ’.
    const auto feed = parse_ok(test::rss("<item><title>it\xC2\x92s</title>"
                                         "<description>pier&#146;s &#150; &#x9D;</description></item>"));
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].title, "it\u2019s");
    EXPECT_EQ(feed.items[0].summary, "pier\u2019s \u2013 \u009D");  // 0x9D is undefined in cp1252
    EXPECT_EQ(feed.items[0].text, "pier\u2019s \u2013 \u009D");
    EXPECT_FALSE(feed.malformed);
}

TEST(Encoding, RepairsUtf8ThatWasReadAsWindows1252)
{
    // "Caf\u00e9 \u2026" double-encoded: as characters, as references, as HTML entities.
    const auto feed = parse_ok(test::rss(
        "<item><title>Caf\xC3\x83\xC2\xA9 \xC3\xA2\xE2\x82\xAC\xC2\xA6</title>"
        "<description>&#195;&#169;t&#195;&#169; &#226;&#128;&#166;</description>"
        "<category>&Atilde;&copy;t&Atilde;&copy;</category></item>"
        "<item><title>Caf\xC3\xA9 cr\xC3\xA8me \xE2\x80\x99</title></item>"));
    ASSERT_EQ(feed.items.size(), 2u);
    EXPECT_EQ(feed.items[0].title, "Caf\u00e9 \u2026");
    EXPECT_EQ(feed.items[0].summary, "\u00e9t\u00e9 \u2026");
    EXPECT_EQ(feed.items[0].text, "\u00e9t\u00e9 \u2026");
    EXPECT_EQ(feed.items[0].categories, std::vector<std::string>{"\u00e9t\u00e9"});
    // Correct UTF-8 whose characters' cp1252 bytes are not UTF-8 is left alone.
    EXPECT_EQ(feed.items[1].title, "Caf\u00e9 cr\u00e8me \u2019");
}

TEST(Encoding, DoubleEncodingIsOnlyUndoneInUtf8Documents)
{
    // In a windows-1252 document "\u00c3\u00a9" is what the bytes say.
    const auto feed = parse_ok(std::string("<?xml version=\"1.0\" encoding=\"windows-1252\"?>"
                                           "<rss version=\"2.0\"><channel><item><title>\xC3\xA9</title>"
                                           "</item></channel></rss>"));
    EXPECT_EQ(feed.items.at(0).title, "\u00c3\u00a9");
}

}  // namespace feedwatch::parse
