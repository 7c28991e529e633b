#include "core/log_field.hpp"

#include <gtest/gtest.h>

namespace feedwatch::core {
namespace {

TEST(LogValue, PlainTokensStayBare)
{
    EXPECT_EQ(log_value("https://example.com/feed.xml?a"), "https://example.com/feed.xml?a");
    EXPECT_EQ(log_value("http_error"), "http_error");
    EXPECT_EQ(log_value("Zürich"), "Zürich");  // UTF-8 is not escaped
}

TEST(LogValue, SpacesQuotesAndEqualsAreQuotedAndEscaped)
{
    EXPECT_EQ(log_value("HTTP 503 from origin"), "\"HTTP 503 from origin\"");
    EXPECT_EQ(log_value("say \"hi\""), "\"say \\\"hi\\\"\"");
    EXPECT_EQ(log_value("a=b"), "\"a=b\"");
    EXPECT_EQ(log_value("back\\slash"), "\"back\\\\slash\"");
    EXPECT_EQ(log_value(""), "\"\"");
}

TEST(LogValue, ControlCharactersCannotForgeALine)
{
    EXPECT_EQ(log_value("one\ntwo"), "\"one\\ntwo\"");
    EXPECT_EQ(log_value(std::string("a\rb\x01", 4)), "\"a\\x0db\\x01\"");
}

}  // namespace
}  // namespace feedwatch::core
