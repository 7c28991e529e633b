#include <gtest/gtest.h>

#include "parse/html_text.hpp"

namespace feedwatch::parse {
namespace {

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
