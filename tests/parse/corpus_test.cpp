// Robustness over the shared conformance corpus, when present: every file either parses
// or fails with ErrorCode::parse, and to_json never throws. Expectations are checked by
// ../shared/corpus/tools/conformance.py, not here.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "parse/feed_json.hpp"
#include "parse/parser.hpp"

namespace feedwatch::parse {
namespace {

TEST(Corpus, ParsesEveryCorpusFileWithoutCrashing)
{
    const std::filesystem::path root = std::filesystem::path(FEEDWATCH_SOURCE_DIR) / ".." / "shared" / "corpus";
    if (!std::filesystem::is_directory(root)) {
        GTEST_SKIP() << "no corpus at " << root;
    }
    std::size_t parsed = 0, refused = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        const auto extension = entry.path().extension();
        if (!entry.is_regular_file() || (extension != ".xml" && extension != ".rss" && extension != ".atom")) {
            continue;
        }
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        const auto result = parse_feed(bytes.str(), ParseOptions{"", "http://corpus.example/feed.xml"});
        if (result) {
            ++parsed;
            EXPECT_NO_THROW((void)to_json(*result)) << entry.path();
        } else {
            ++refused;
            EXPECT_EQ(result.error().code, core::ErrorCode::parse) << entry.path();
        }
    }
    RecordProperty("parsed", static_cast<int>(parsed));
    RecordProperty("refused", static_cast<int>(refused));
    EXPECT_GT(parsed, 0u);
}

}  // namespace
}  // namespace feedwatch::parse
