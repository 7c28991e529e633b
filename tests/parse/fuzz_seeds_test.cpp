// Replays the inputs the fuzzer found interesting (tests/fuzz/seeds, grown by
// tests/fuzz/parse_fuzzer from seeds written for this project) through the same checks
// as the fuzz target, so CI catches a regression without clang or libFuzzer.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "parse/encoding.hpp"
#include "parse/feed_json.hpp"
#include "parse/html_text.hpp"
#include "parse/parser.hpp"

namespace feedwatch::parse {
namespace {

TEST(FuzzSeeds, EverySeedParsesOrFailsCleanlyWithValidUtf8)
{
    const std::filesystem::path seeds = std::filesystem::path(FEEDWATCH_SOURCE_DIR) / "tests" / "fuzz" / "seeds";
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(seeds)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        const std::string document = bytes.str();
        ++count;
        for (const std::string_view content_type : {"", "text/xml", "application/xml; charset=windows-1252"}) {
            const auto parsed = parse_feed(document, ParseOptions{content_type, "http://example.com/feeds/index.xml"});
            if (!parsed) {
                EXPECT_EQ(parsed.error().code, core::ErrorCode::parse) << entry.path();
                continue;
            }
            EXPECT_TRUE(is_valid_utf8(parsed->feed.title)) << entry.path();
            for (const auto& item : parsed->items) {
                EXPECT_FALSE(item.id.empty()) << entry.path();
                EXPECT_TRUE(is_valid_utf8(item.title) && is_valid_utf8(item.summary) && is_valid_utf8(item.content) &&
                            is_valid_utf8(item.text) && is_valid_utf8(item.link))
                    << entry.path();
            }
            EXPECT_NO_THROW((void)to_json(*parsed)) << entry.path();
        }
        if (is_valid_utf8(document)) {
            if (const auto fast = html_to_text_fast(document)) {
                EXPECT_EQ(*fast, html_to_text_gumbo(document)) << entry.path();
            }
        }
    }
    EXPECT_GT(count, 10u);
}

}  // namespace
}  // namespace feedwatch::parse
