#include <gtest/gtest.h>

#include "parse/entities.hpp"

namespace feedwatch::parse {
namespace {

TEST(Entities, TurnsHtmlNamedEntitiesIntoNumericReferences)
{
    EXPECT_EQ(normalize_xml_references("<t>a&nbsp;b&hellip;&eacute;&Omega;</t>"), "<t>a&#160;b&#8230;&#233;&#937;</t>");
}

TEST(Entities, LeavesXmlEntitiesUnknownNamesAndBareAmpersands)
{
    EXPECT_EQ(normalize_xml_references("&amp;&lt;&gt;&quot;&apos; &bogus; AT&T &amp;nbsp;"),
              "&amp;&lt;&gt;&quot;&apos; &bogus; AT&T &amp;nbsp;");
}

TEST(Entities, ReplacesInvalidNumericReferences)
{
    EXPECT_EQ(normalize_xml_references("&#0;&#x0;&#xD800;&#57343;&#x110000;&#99999999999999;&#65;"),
              "&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;&#65;");
}

TEST(Entities, LeavesCdataAndCommentsAlone)
{
    EXPECT_EQ(normalize_xml_references("<![CDATA[&nbsp;&#0;]]><!-- &hellip; -->&nbsp;"),
              "<![CDATA[&nbsp;&#0;]]><!-- &hellip; -->&#160;");
}

TEST(Entities, DecodesHtmlReferencesInText)
{
    EXPECT_EQ(decode_html_entities("&lt;&eacute;&#233;&#xE9;&#0;&nope; & x"), "<\u00e9\u00e9\u00e9\uFFFD&nope; & x");
    EXPECT_EQ(html_entity_code_point("hellip"), 0x2026u);
    EXPECT_EQ(html_entity_code_point("HELLIP"), std::nullopt);
}

}  // namespace
}  // namespace feedwatch::parse
