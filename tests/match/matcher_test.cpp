#include "match/matcher.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace feedwatch::match {
namespace {

WatchlistSpec watchlist(std::string name, std::string_view query, std::vector<std::string> notify = {"ops"})
{
    auto parsed = Query::parse(query);
    EXPECT_TRUE(parsed) << query;
    return WatchlistSpec{std::move(name), std::move(*parsed), std::move(notify)};
}

model::Item item(std::string title, std::string text, std::string summary = {})
{
    model::Item result;
    result.title = std::move(title);
    result.text = std::move(text);
    result.summary = std::move(summary);
    return result;
}

struct WordCase {
    std::string query;
    std::string title;
    bool matches;
};

class MatcherWords : public testing::TestWithParam<WordCase> {};

TEST_P(MatcherWords, MatchWholeWordsIgnoringCaseAndAccents)
{
    const Matcher matcher({watchlist("w", GetParam().query)});
    EXPECT_EQ(!matcher.match(item(GetParam().title, "")).empty(), GetParam().matches)
        << GetParam().query << " in " << GetParam().title;
}

INSTANTIATE_TEST_SUITE_P(
    Matcher, MatcherWords,
    testing::Values(WordCase{"PLA", "PLA drills near Taiwan", true}, WordCase{"PLA", "New power plant opens", false},
                    WordCase{"Huawei", "HUAWEI's profits fall", true}, WordCase{"Huawei", "Huaweiphone", false},
                    WordCase{"ecole", "L'École ferme", true}, WordCase{"École", "ecole", true},
                    WordCase{"\"Unit 61398\"", "Members of unit 61398 indicted", true},
                    WordCase{"\"Unit 61398\"", "Unit 7 and 61398", false},
                    WordCase{"cyber-espionage", "Cyber espionage campaign", true},
                    WordCase{"cyber-espionage", "Espionage, cyber", false},
                    WordCase{"strasse", "Straße gesperrt", true}));

TEST(Matcher, ReportsHitsInWatchlistOrderAndSkipsWatchlistsWithoutMatch)
{
    const Matcher matcher({watchlist("first", "Huawei", {"ops"}), watchlist("none", "zebra"),
                           watchlist("second", "indictment OR \"Unit 61398\"", {"ops", "legal"})});
    EXPECT_EQ(matcher.size(), 3U);
    const auto hits = matcher.match(item("Huawei executive indicted", "The indictment names Unit 61398 officers."));
    ASSERT_EQ(hits.size(), 2U);
    EXPECT_EQ(hits[0].watchlist, "first");
    EXPECT_EQ(hits[0].notify, std::vector<std::string>{"ops"});
    EXPECT_EQ(hits[1].watchlist, "second");
    EXPECT_EQ(hits[1].notify, (std::vector<std::string>{"ops", "legal"}));
    ASSERT_EQ(hits[1].matches.size(), 2U);
    EXPECT_EQ(hits[1].matches[0].term, "indictment");
    EXPECT_EQ(hits[1].matches[0].field, "content");
    EXPECT_EQ(hits[1].matches[1].term, "unit 61398");
    EXPECT_EQ(hits[1].matches[1].snippet, "The indictment names Unit 61398 officers.");
}

TEST(Matcher, RecordsTheFieldAndASnippetOfItsOriginalText)
{
    const Matcher matcher({watchlist("w", "huawei")});
    const auto hits = matcher.match(item("Über HUAWEI", "Profits at  Huawei\nfell."));
    ASSERT_EQ(hits.size(), 1U);
    ASSERT_EQ(hits[0].matches.size(), 2U);
    EXPECT_EQ(hits[0].matches[0].field, "title");
    EXPECT_EQ(hits[0].matches[0].snippet, "Über HUAWEI");
    EXPECT_EQ(hits[0].matches[1].field, "content");
    EXPECT_EQ(hits[0].matches[1].snippet, "Profits at Huawei fell.");
}

TEST(Matcher, KeepsAtMostThreeMatchesPerHit)
{
    const Matcher matcher({watchlist("w", "a OR b OR c OR d")});
    const auto hits = matcher.match(item("a b c d", "a b c d"));
    ASSERT_EQ(hits.size(), 1U);
    ASSERT_EQ(hits[0].matches.size(), 3U);
    EXPECT_EQ(hits[0].matches[0].term, "a");
    EXPECT_EQ(hits[0].matches[0].field, "title");
    EXPECT_EQ(hits[0].matches[1].term, "a");
    EXPECT_EQ(hits[0].matches[1].field, "content");
    EXPECT_EQ(hits[0].matches[2].term, "b");
}

TEST(Matcher, FallsBackToSummaryWhenTextIsEmpty)
{
    const Matcher matcher({watchlist("w", "sanctions")});
    const auto hits = matcher.match(item("Title", "", "New sanctions announced"));
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].matches[0].field, "content");
    EXPECT_EQ(hits[0].matches[0].snippet, "New sanctions announced");
    EXPECT_TRUE(matcher.match(item("Title", "nothing here", "New sanctions announced")).empty());
}

TEST(Matcher, FindsAPhraseAfterAFalseStart)
{
    const Matcher matcher({watchlist("w", "\"unit 61398\"")});
    EXPECT_FALSE(matcher.match(item("", "unit 7, unit unit 61398")).empty());
}

TEST(Matcher, EmptyItemAndNoWatchlistsProduceNoHits)
{
    EXPECT_TRUE(Matcher({watchlist("w", "x")}).match(model::Item{}).empty());
    EXPECT_TRUE(Matcher({}).match(item("x", "x")).empty());
}

TEST(Matcher, SnippetOfALongContentStaysShortAndShowsTheMatch)
{
    std::string text;
    for (int i = 0; i < 500; ++i) {
        text += "filler words here. ";
    }
    text += "Then Huawei appeared. ";
    for (int i = 0; i < 500; ++i) {
        text += "more filler text. ";
    }
    const auto hits = Matcher({watchlist("w", "huawei")}).match(item("", text));
    ASSERT_EQ(hits.size(), 1U);
    const std::string& snippet = hits[0].matches[0].snippet;
    EXPECT_LE(snippet.size(), 160U);
    EXPECT_NE(snippet.find("Huawei"), std::string::npos) << snippet;
}

}  // namespace
}  // namespace feedwatch::match
