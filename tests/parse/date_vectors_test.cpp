// Every vector of ../shared/corpus/expectations/*_date_vectors.json (feedparser's and
// gofeed's own date tests): the stated instant, or no date where it says null. Skips when
// the shared corpus is absent.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "parse/dates.hpp"

namespace feedwatch::parse {
namespace {

void check_vectors(const char* file)
{
    const std::filesystem::path path =
        std::filesystem::path(FEEDWATCH_SOURCE_DIR) / ".." / "shared" / "corpus" / "expectations" / file;
    if (!std::filesystem::exists(path)) {
        GTEST_SKIP() << "no date vectors at " << path;
    }
    std::ifstream in(path);
    const nlohmann::json vectors = nlohmann::json::parse(in)["vectors"];
    ASSERT_FALSE(vectors.empty());
    for (const auto& vector : vectors) {
        const std::string input = vector["input"].get<std::string>();
        const auto parsed = parse_date(input);
        if (vector["expected_utc"].is_null()) {
            EXPECT_FALSE(parsed) << '"' << input << "\" should be rejected, got " << core::format_rfc3339(*parsed);
        } else {
            const std::string expected = vector["expected_utc"].get<std::string>();
            EXPECT_EQ(parsed ? core::format_rfc3339(*parsed) : std::string("<none>"), expected) << '"' << input << '"';
        }
    }
}

TEST(DateVectors, FeedparserVectorsGiveTheStatedInstant)
{
    check_vectors("feedparser_date_vectors.json");
}

TEST(DateVectors, GofeedVectorsGiveTheStatedInstant)
{
    check_vectors("gofeed_date_vectors.json");
}

}  // namespace
}  // namespace feedwatch::parse
