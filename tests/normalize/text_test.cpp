#include "normalize/text.hpp"

#include <chrono>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace feedwatch::normalize {
namespace {

std::vector<std::string> folded_words(std::string_view text)
{
    std::vector<std::string> words;
    for (const auto& token : tokenize(text)) {
        words.push_back(token.folded);
    }
    return words;
}

bool valid_utf8(std::string_view text)
{
    return repair_utf8(text) == text;
}

struct FoldCase {
    std::string input;
    std::string expected;
};

class FoldTable : public testing::TestWithParam<FoldCase> {};

TEST_P(FoldTable, FoldsCaseAccentsAndCompatibilityForms)
{
    EXPECT_EQ(fold(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Text, FoldTable,
                         testing::Values(FoldCase{"Café", "cafe"}, FoldCase{"ÉCOLE", "ecole"},
                                         FoldCase{"\xEF\xAC\x81", "fi"},  // U+FB01 ligature fi
                                         FoldCase{"Straße", "strasse"}, FoldCase{"HUAWEI", "huawei"},
                                         FoldCase{"Cafe\xCC\x81", "cafe"},  // decomposed é
                                         FoldCase{"\xEF\xBC\xA8\xEF\xBD\x89", "hi"},  // full-width Ｈｉ
                                         FoldCase{"Ελληνικά", "ελληνικα"}, FoldCase{"", ""},
                                         FoldCase{"cyber\xC2\xAD" "security", "cybersecurity"}));  // soft hyphen

TEST(Text, FoldReplacesInvalidUtf8InsteadOfFailing)
{
    EXPECT_EQ(fold("A\xFF" "B"), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(fold("\xC3"), "\xEF\xBF\xBD");  // truncated sequence
}

TEST(Text, RepairReplacesEachInvalidByteAndKeepsValidText)
{
    EXPECT_EQ(repair_utf8("ok é"), "ok é");
    EXPECT_EQ(repair_utf8("a\x80z"), "a\xEF\xBF\xBDz");
    EXPECT_EQ(repair_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate half
    EXPECT_EQ(repair_utf8(""), "");
}

struct TokenizeCase {
    std::string input;
    std::vector<std::string> words;
};

class TokenizeTable : public testing::TestWithParam<TokenizeCase> {};

TEST_P(TokenizeTable, SplitsOnEverythingButLettersAndNumbers)
{
    EXPECT_EQ(folded_words(GetParam().input), GetParam().words);
}

INSTANTIATE_TEST_SUITE_P(
    Text, TokenizeTable,
    testing::Values(TokenizeCase{"Huawei's new 5G plant", {"huawei", "s", "new", "5g", "plant"}},
                    TokenizeCase{"cyber-espionage", {"cyber", "espionage"}},
                    TokenizeCase{"U.S. don't", {"u", "s", "don", "t"}},
                    TokenizeCase{"  Unit 61398, PLA!  ", {"unit", "61398", "pla"}},
                    TokenizeCase{"Ｕｎｉｔ　６１３９８", {"unit", "61398"}},  // full-width, ideographic space
                    TokenizeCase{"Zürich—Genève", {"zurich", "geneve"}},
                    TokenizeCase{"e\xCC\x81t\xC3\xA9", {"ete"}},  // combining mark stays in its word
                    TokenizeCase{"北京 news", {"北京", "news"}}, TokenizeCase{"...", {}}, TokenizeCase{"", {}}));

TEST(Text, TokenOffsetsPointIntoTheOriginalBytes)
{
    const std::string text = "Le CAFÉ, l'école";
    const auto tokens = tokenize(text);
    ASSERT_EQ(tokens.size(), 4U);
    EXPECT_EQ(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin), "CAFÉ");
    EXPECT_EQ(tokens[1].folded, "cafe");
    EXPECT_EQ(text.substr(tokens[3].begin, tokens[3].end - tokens[3].begin), "école");
    EXPECT_EQ(tokens[3].end, text.size());
}

TEST(Text, EveryTokenIsTheFoldOfItsBytesWhetherTheWordIsAsciiOrNot)
{
    // tokenize() folds an ASCII word itself and hands any other word to fold(): both ways
    // must give what fold() gives for the word's bytes, mixed in one text.
    const std::string text = "Hua\xC2\xADwei ZTE z\xC3\xBCrich CAF\xC3\x89 cafe\xCC\x81 A1b2 \xEF\xBC\xA1" "BC x\xE2\x80\x8Dy 61398, Co-Operate";
    const auto tokens = tokenize(text);
    ASSERT_EQ(tokens.size(), 11u);
    for (const auto& token : tokens) {
        EXPECT_EQ(token.folded, fold(text.substr(token.begin, token.end - token.begin)))
            << text.substr(token.begin, token.end - token.begin);
    }
    EXPECT_EQ(tokens[0].folded, "huawei");
    EXPECT_EQ(tokens[2].folded, "zurich");
    EXPECT_EQ(tokens[6].folded, "abc");
}

TEST(Text, TheScannerHandsOutAWordAlreadyFoldedAsAViewIntoTheTextAndAnyOtherFromItsBuffer)
{
    // Callers keep folded() past the next word only when folded_in_text() says it points into
    // the text: a word that needed folding lives in the scanner's buffer, which the next word
    // overwrites.
    const std::string text = "huawei ZTE 61398 z\xC3\xBCrich unit";
    WordScanner words(text);
    std::vector<std::pair<std::string, bool>> seen;
    std::vector<std::string_view> kept;
    while (words.next()) {
        seen.emplace_back(std::string(words.folded()), words.folded_in_text());
        if (words.folded_in_text()) {
            EXPECT_EQ(words.folded().data(), text.data() + words.begin());
            kept.push_back(words.folded());
        }
    }
    const std::vector<std::pair<std::string, bool>> expected{
        {"huawei", true}, {"zte", false}, {"61398", true}, {"zurich", false}, {"unit", true}};
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(kept, (std::vector<std::string_view>{"huawei", "61398", "unit"}));
}

TEST(Text, TokenizeTreatsInvalidBytesAsSeparators)
{
    const std::string text = "abc\xFF" "def\xC3";
    const auto tokens = tokenize(text);
    ASSERT_EQ(tokens.size(), 2U);
    EXPECT_EQ(tokens[0].folded, "abc");
    EXPECT_EQ(tokens[1].folded, "def");
    EXPECT_EQ(tokens[1].begin, 4U);
    EXPECT_EQ(tokens[1].end, 7U);
}

TEST(Text, TokenizeIsLinearOnHugeInput)
{
    std::string text;
    for (int i = 0; i < 200000; ++i) {
        text += "word, ";
    }
    text += std::string(1 << 20, 'x');  // one 1 MiB word
    const auto started = std::chrono::steady_clock::now();
    const auto tokens = tokenize(text);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(tokens.size(), 200001U);
    EXPECT_LT(elapsed, std::chrono::seconds(10));  // generous: sanitizers and a shared 2-core box
}

TEST(Text, SnippetReturnsShortTextWholeWithCollapsedWhitespace)
{
    const std::string text = "  Huawei\n\n  indicted \t today ";
    EXPECT_EQ(snippet(text, 2, 8), "Huawei indicted today");
}

TEST(Text, SnippetCutsLongTextOnWordBoundariesWithEllipses)
{
    std::string text;
    for (int i = 0; i < 40; ++i) {
        text += "alpha beta ";
    }
    const std::size_t begin = text.size();
    text += "MATCH";
    const std::size_t end = text.size();
    for (int i = 0; i < 40; ++i) {
        text += " gamma delta";
    }
    const std::string result = snippet(text, begin, end, 60);
    EXPECT_LE(result.size(), 60U);
    EXPECT_EQ(result.rfind("… ", 0), 0U) << result;
    EXPECT_EQ(result.substr(result.size() - 4), " …") << result;
    EXPECT_NE(result.find("MATCH"), std::string::npos);
    // Every word shown is whole.
    for (const auto& token : tokenize(result)) {
        EXPECT_TRUE(token.folded == "alpha" || token.folded == "beta" || token.folded == "match" ||
                    token.folded == "gamma" || token.folded == "delta")
            << token.folded;
    }
}

TEST(Text, SnippetNearTheStartAddsOnlyATrailingEllipsis)
{
    std::string text = "MATCH at the start";
    for (int i = 0; i < 50; ++i) {
        text += " and more words";
    }
    const std::string result = snippet(text, 0, 5, 40);
    EXPECT_LE(result.size(), 40U);
    EXPECT_EQ(result.rfind("MATCH at the start", 0), 0U) << result;
    EXPECT_EQ(result.substr(result.size() - 4), " …") << result;
}

TEST(Text, SnippetNeverSplitsAUtf8Sequence)
{
    std::string text;
    for (int i = 0; i < 100; ++i) {
        text += "日本語";  // no spaces: cut on characters
    }
    const std::size_t begin = text.size() / 2 - (text.size() / 2) % 3;
    for (std::size_t max = 8; max < 50; ++max) {
        const std::string result = snippet(text, begin, begin + 3, max);
        EXPECT_TRUE(valid_utf8(result)) << max;
        EXPECT_LE(result.size(), max);
    }
}

TEST(Text, SnippetOfAMatchLongerThanTheLimitKeepsItsStart)
{
    const std::string text = "intro " + std::string(300, 'z') + " outro";
    const std::string result = snippet(text, 6, 306, 50);
    EXPECT_LE(result.size(), 50U);
    EXPECT_EQ(result.rfind("… zzz", 0), 0U) << result;
    EXPECT_EQ(result.substr(result.size() - 4), " …") << result;
}

TEST(Text, SnippetClampsOutOfRangeOffsetsAndRepairsInvalidBytes)
{
    EXPECT_EQ(snippet("short", 10, 20), "short");
    EXPECT_EQ(snippet("bad \xFF byte", 0, 3), "bad \xEF\xBF\xBD byte");
    EXPECT_EQ(snippet("", 0, 0), "");
}

// Snippets of plain ASCII text (single spaces) take a shortcut that skips the collapsed-byte
// walks; the same text with every space doubled goes the long way and must give the same
// snippet, since collapsing makes the two texts one.
TEST(Text, SnippetOfSingleSpacedAsciiEqualsTheSnippetOfItsDoubleSpacedForm)
{
    std::mt19937 random(20261128);
    const auto below = [&random](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
    std::size_t compared = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        std::vector<std::pair<std::size_t, std::size_t>> words;
        const std::size_t count = 1 + below(60);
        for (std::size_t w = 0; w < count; ++w) {
            text += w == 0 ? "" : " ";
            const std::size_t length = 1 + below(below(10) == 0 ? 40 : 9);
            words.emplace_back(text.size(), text.size() + length);
            for (std::size_t c = 0; c < length; ++c) {
                text.push_back(static_cast<char>('a' + below(26)));
            }
        }
        std::string doubled;
        std::vector<std::size_t> moved(text.size() + 1);  // offset in text -> offset in doubled
        for (std::size_t i = 0; i <= text.size(); ++i) {
            moved[i] = doubled.size();
            if (i < text.size()) {
                doubled += text[i] == ' ' ? "  " : std::string(1, text[i]);
            }
        }
        const std::size_t first = below(words.size());
        const std::size_t last = std::min(words.size() - 1, first + below(3));
        const std::size_t begin = words[first].first;
        const std::size_t end = words[last].second;
        for (const std::size_t max_bytes : {160U, 60U, 25U}) {
            ASSERT_EQ(snippet(text, begin, end, max_bytes), snippet(doubled, moved[begin], moved[end], max_bytes))
                << "text: " << text << "\nmatch: " << text.substr(begin, end - begin) << "\nmax: " << max_bytes;
            ++compared;
        }
    }
    EXPECT_EQ(compared, 9000U);
}

struct MarkupCase {
    std::string html;
    std::string text;
};

class StripMarkup : public testing::TestWithParam<MarkupCase> {};

TEST_P(StripMarkup, LeavesTheVisibleTextWithWordsApartWhereBlocksEnd)
{
    EXPECT_EQ(strip_markup(GetParam().html), GetParam().text) << GetParam().html;
}

INSTANTIATE_TEST_SUITE_P(
    Text, StripMarkup,
    testing::Values(MarkupCase{"plain text", "plain text"}, MarkupCase{"Unit<br/>61398", "Unit 61398"},
                    MarkupCase{"<p>Unit</p><p>61398</p>", " Unit  61398 "}, MarkupCase{"Hua<b>wei</b>", "Huawei"},
                    MarkupCase{"<a href=\"x\">link</a> text", "link text"},
                    MarkupCase{"a &amp; b &lt;c&gt; &#233;&#xE9; &nbsp;", "a & b <c> \xC3\xA9\xC3\xA9 \xC2\xA0"},
                    MarkupCase{"AT&T &unknown; &#xD800;", "AT&T &unknown; \xEF\xBF\xBD"},
                    MarkupCase{"x<script>var a = '<p>';</script>y", "x y"},
                    MarkupCase{"x<STYLE>p { }</Style>y", "x y"}, MarkupCase{"a <!-- hidden --> b", "a   b"},
                    MarkupCase{"1 < 2 and 3 > 2", "1 < 2 and 3 > 2"}, MarkupCase{"open <b", "open <b"}));

}  // namespace
}  // namespace feedwatch::normalize
