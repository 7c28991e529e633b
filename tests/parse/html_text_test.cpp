#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "parse/html_text.hpp"

namespace feedwatch::parse {
namespace {

// Whitespace collapsing as the rule says it, one byte at a time: runs of ASCII whitespace (and
// U+00A0 when collapsed) become one space, other C0 controls vanish without breaking a run,
// and the ends are trimmed.
std::string collapse_byte_by_byte(std::string_view text, NoBreakSpace no_break_space)
{
    std::string out;
    bool pending_space = false;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        const char c = text[pos];
        const auto byte = static_cast<unsigned char>(c);
        if (no_break_space == NoBreakSpace::collapse && byte == 0xC2 && pos + 1 < text.size() && text[pos + 1] == '\xA0') {
            pending_space = true;
            ++pos;
            continue;
        }
        const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        if (byte <= 0x20) {
            pending_space = pending_space || space;
            continue;
        }
        if (pending_space && !out.empty()) {
            out += ' ';
        }
        pending_space = false;
        out += c;
    }
    return out;
}

TEST(HtmlText, CollapsingWhitespaceGivesWhatTheByteByByteRuleGivesOnRandomText)
{
    // Words with single spaces are moved in runs; everything around them goes byte by byte.
    // Random texts over the bytes that matter must come out the same as the plain rule's,
    // both out of place (collapse_whitespace) and in place (html_to_text's fast path).
    const std::string_view alphabet[] = {"a", "bc", " ", " ", "\t", "\n", "\x01", "\xC2\xA0", "\xC2", "\xA0", "\xC3\xA9"};
    std::mt19937 random(61398);
    for (int round = 0; round < 5000; ++round) {
        std::string text;
        const auto length = random() % 24;
        for (unsigned i = 0; i < length; ++i) {
            text += alphabet[random() % std::size(alphabet)];
        }
        for (const NoBreakSpace mode : {NoBreakSpace::collapse, NoBreakSpace::keep}) {
            ASSERT_EQ(collapse_whitespace(text, mode), collapse_byte_by_byte(text, mode)) << '"' << text << '"';
        }
        std::string markup;  // the same bytes after a tag, without the ones the fast path refuses
        for (const char c : text) {
            markup += c == '\x01' ? ' ' : c;
        }
        const auto fast = html_to_text_fast("<b>x</b>" + markup);
        if (fast) {
            ASSERT_EQ(*fast, collapse_byte_by_byte("x" + markup, NoBreakSpace::collapse)) << '"' << markup << '"';
        }
    }
}

TEST(HtmlText, StripsMarkupAndSeparatesBlocks)
{
    EXPECT_EQ(html_to_text("<p>Pier</p><p>closed<br>today</p>"), "Pier closed today");
    EXPECT_EQ(html_to_text("un<b>brok</b>en"), "unbroken");
    EXPECT_EQ(html_to_text("<ul><li>a</li><li>b</li></ul>"), "a b");
}

TEST(HtmlText, DropsScriptStyleAndComments)
{
    EXPECT_EQ(html_to_text("<style>.x{}</style>a<script>var s='<p>no</p>';</script> b<!-- hidden -->"), "a b");
}

TEST(HtmlText, DecodesEntitiesAndCollapsesWhitespace)
{
    EXPECT_EQ(html_to_text("  caf&eacute;&nbsp;&amp;\n\t bar &rarr; &#x1F600; "), "caf\u00e9 & bar \u2192 \U0001F600");
}

TEST(HtmlText, KeepsPlainTextWithAngleBrackets)
{
    EXPECT_EQ(html_to_text("5 < 6 and 7 > 3"), "5 < 6 and 7 > 3");
}

TEST(HtmlText, DeeplyNestedInputFallsBackWithoutCrashing)
{
    std::string html;
    for (int i = 0; i < 100000; ++i) {
        html += "<div>";
    }
    html += "deep &amp; <script>x</script>down";
    EXPECT_EQ(html_to_text(html), "deep & down");
}

}  // namespace
}  // namespace feedwatch::parse
