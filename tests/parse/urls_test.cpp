#include <gtest/gtest.h>

#include "parse/urls.hpp"

namespace feedwatch::parse {
namespace {

// RFC 3986 §5.4 examples.
TEST(Urls, ResolvesRfc3986NormalExamples)
{
    const std::string base = "http://a/b/c/d;p?q";
    const std::pair<const char*, const char*> cases[] = {
        {"g:h", "g:h"},           {"g", "http://a/b/c/g"},          {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"}, {"/g", "http://a/g"},            {"//g", "http://g"},
        {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},  {"#s", "http://a/b/c/d;p?q#s"},
        {"g#s", "http://a/b/c/g#s"}, {"g?y#s", "http://a/b/c/g?y#s"}, {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"}, {"g;x?y#s", "http://a/b/c/g;x?y#s"}, {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},   {"./", "http://a/b/c/"},          {"..", "http://a/b/"},
        {"../", "http://a/b/"},   {"../g", "http://a/b/g"},         {"../..", "http://a/"},
        {"../../", "http://a/"},  {"../../g", "http://a/g"},
    };
    for (const auto& [reference, expected] : cases) {
        EXPECT_EQ(resolve_url(base, reference), expected) << reference;
    }
}

TEST(Urls, ResolvesRfc3986AbnormalExamples)
{
    const std::string base = "http://a/b/c/d;p?q";
    const std::pair<const char*, const char*> cases[] = {
        {"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"}, {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},      {"g.", "http://a/b/c/g."},       {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},  {"..g", "http://a/b/c/..g"},     {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"}, {"g/./h", "http://a/b/c/g/h"},   {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"}, {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},   {"g#s/../x", "http://a/b/c/g#s/../x"},
        {"http:g", "http:g"},
    };
    for (const auto& [reference, expected] : cases) {
        EXPECT_EQ(resolve_url(base, reference), expected) << reference;
    }
}

TEST(Urls, HttpUrlsGetALowerCaseSchemeAndHostAndNothingElseChanges)
{
    EXPECT_EQ(normalize_http_url("HTTP://www.Dicas-L.com.br/Dicas-L/20200406.php?Q=A#Top"),
              "http://www.dicas-l.com.br/Dicas-L/20200406.php?Q=A#Top");
    EXPECT_EQ(normalize_http_url("https://User:PW@Example.COM:8443"), "https://User:PW@example.com:8443");
    EXPECT_EQ(normalize_http_url("https://Example.com"), "https://example.com");  // no "/" added
    EXPECT_EQ(normalize_http_url("mailto:Someone@Example.com"), "mailto:Someone@Example.com");
    EXPECT_EQ(normalize_http_url("relative/Path"), "relative/Path");
    EXPECT_EQ(normalize_http_url(""), "");
}

TEST(Urls, HandlesEmptyBaseAndWhitespace)
{
    EXPECT_EQ(resolve_url("", " /relative "), "/relative");
    EXPECT_EQ(resolve_url("https://x.example", "a"), "https://x.example/a");
    EXPECT_EQ(resolve_url("https://x.example/feed", "\n https://y.example/p \n"), "https://y.example/p");
}

}  // namespace
}  // namespace feedwatch::parse
