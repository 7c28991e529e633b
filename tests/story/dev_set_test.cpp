// The default threshold on the development set (../shared/stories, not part of the project):
// the same grouping `feedwatch group` prints, scored by pairwise F1 as score.py does.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "story/grouper.hpp"

namespace feedwatch::story {
namespace {

std::uint64_t pairs(std::uint64_t n)
{
    return n * (n - 1) / 2;
}

// A regression guard at the level reached (0.9039 measured): the goal is 0.95, not met
// yet (bench/README.md, story, lists the remaining errors by cause). Raise the bar as the
// grouping improves; never lower it.
TEST(DevSet, DefaultThresholdKeepsThePairwiseF1ReachedOnTheDevelopmentSet)
{
    const auto path = std::filesystem::path(FEEDWATCH_SOURCE_DIR) / ".." / "shared" / "stories" / "dev.jsonl";
    if (!std::filesystem::exists(path)) {
        GTEST_SKIP() << path << " is absent";
    }
    std::ifstream in(path);
    Grouper grouper;
    std::map<std::string, std::uint64_t> gold_sizes;
    std::map<std::string, std::uint64_t> predicted_sizes;
    std::map<std::pair<std::string, std::string>, std::uint64_t> cells;
    for (std::string line; std::getline(in, line);) {
        const auto article = nlohmann::json::parse(line);
        const auto text_of = [&](const char* key) {
            return article[key].is_string() ? article[key].get<std::string>() : std::string();
        };
        const std::string id = article["id"], title = text_of("title"), text = text_of("text"),
                          source = text_of("source");
        const std::string gold = article["story"];
        const auto assignment = grouper.assign(ArticleInput{id, title, text, source, core::Instant{}});
        ++gold_sizes[gold];
        ++predicted_sizes[assignment.story];
        ++cells[{gold, assignment.story}];
    }
    std::uint64_t together = 0, gold_pairs = 0, predicted_pairs = 0;
    for (const auto& [key, n] : cells) together += pairs(n);
    for (const auto& [key, n] : gold_sizes) gold_pairs += pairs(n);
    for (const auto& [key, n] : predicted_sizes) predicted_pairs += pairs(n);
    ASSERT_GT(gold_pairs, 0u);
    ASSERT_GT(predicted_pairs, 0u);
    const double precision = static_cast<double>(together) / static_cast<double>(predicted_pairs);
    const double recall = static_cast<double>(together) / static_cast<double>(gold_pairs);
    const double f1 = 2 * precision * recall / (precision + recall);
    RecordProperty("pairwise_f1", std::to_string(f1));
    EXPECT_GE(f1, 0.903) << "precision " << precision << " recall " << recall;
}

}  // namespace
}  // namespace feedwatch::story
