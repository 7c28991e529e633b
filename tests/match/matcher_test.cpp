#include "match/matcher.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace feedwatch::match {
namespace {

WatchlistSpec watchlist(std::string name, std::string_view query, std::vector<std::string> notify = {"ops"})
{
    auto parsed = Query::parse(query);
    EXPECT_TRUE(parsed) << query << ": " << (parsed ? "" : parsed.error().message);
    return WatchlistSpec{std::move(name), std::move(*parsed), std::move(notify), "english", {}};
}

model::Item item(std::string title, std::string text, std::string summary = {})
{
    model::Item result;
    result.title = std::move(title);
    result.text = std::move(text);
    result.summary = std::move(summary);
    return result;
}

// One row: a query, an article and whether it matches.
struct Case {
    std::string name;
    std::string query;
    std::string title;
    std::string text;  // plain text of the content, as the parser makes it
    bool matches;
};

class MatcherLanguage : public testing::TestWithParam<Case> {};

TEST_P(MatcherLanguage, MatchesOnlyWhatTheQuerySays)
{
    const Matcher matcher({watchlist("w", GetParam().query)});
    const auto hits = matcher.match(item(GetParam().title, GetParam().text));
    EXPECT_EQ(!hits.empty(), GetParam().matches)
        << GetParam().query << " in title \"" << GetParam().title << "\" text \"" << GetParam().text << "\"";
    EXPECT_EQ(matcher.match_unindexed(item(GetParam().title, GetParam().text)).size(), hits.size());
}

INSTANTIATE_TEST_SUITE_P(
    Words, MatcherLanguage,
    testing::Values(Case{"CaseInsensitive", "huawei", "HUAWEI's profits fall", "", true},
                    Case{"WholeWordsOnly", "Huawei", "Huaweiphone", "", false},
                    Case{"AccentsFolded", "ecole", "L'École ferme", "", true},
                    Case{"AccentsFoldedInQuery", "École", "ecole", "", true},
                    Case{"CompatibilityFolding", "strasse", "Straße gesperrt", "", true},
                    Case{"PluralForm", "indictment", "", "Two indictments were unsealed", true},
                    Case{"PastTense", "indictment", "", "He was indicted on Monday", true},
                    Case{"VerbToNoun", "indicted", "", "The indictment names five officers", true},
                    Case{"SanctionForms", "sanction", "", "New sanctions; sanctioning begins", true},
                    Case{"StemDoesNotReachOtherWords", "indictment", "", "India and Indiana", false},
                    Case{"PlantIsNotPla", "PLA", "New power plant opens", "", false},
                    Case{"PlaWordMatches", "PLA", "pla drills", "", true}),
    [](const testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    ExactAndPrefix, MatcherLanguage,
    testing::Values(Case{"ExactCase", "=PLA", "PLA drills near Taiwan", "", true},
                    Case{"ExactCaseRejectsLower", "=PLA", "Pla de la Vila", "", false},
                    Case{"ExactCaseRejectsPlant", "=PLA", "PLAnt", "", false},
                    Case{"ExactFormNotStemmed", "=ZTE", "ZTEs", "", false},
                    Case{"ExactPhrase", "=\"Unit 61398\"", "", "the Unit 61398 team", true},
                    Case{"ExactPhraseCase", "=\"Unit 61398\"", "", "the unit 61398 team", false},
                    Case{"Prefix", "cyber*", "", "Cyberattacks rise", true},
                    Case{"PrefixWholeWord", "cyber*", "", "cyber attacks", true},
                    Case{"PrefixNotInside", "cyber*", "", "anticyber", false},
                    Case{"PrefixFolded", "ecol*", "", "Écoles fermées", true}),
    [](const testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Phrases, MatcherLanguage,
    testing::Values(Case{"Phrase", "\"Unit 61398\"", "Members of unit 61398 indicted", "", true},
                    Case{"PhraseAcrossLineBreak", "\"Unit 61398\"", "", "officers of Unit\n61398 were", true},
                    // html_to_text turns "Unit<br/>61398" and "Unit</p><p>61398" into words apart
                    Case{"PhraseAcrossMarkup", "\"Unit 61398\"", "", "officers of Unit 61398 were", true},
                    Case{"PhraseAcrossPunctuation", "\"Unit 61398\"", "", "Unit — 61398", true},
                    Case{"PhraseWordsApart", "\"Unit 61398\"", "Unit 7 and 61398", "", false},
                    Case{"PhraseOrder", "\"Unit 61398\"", "61398 unit", "", false},
                    Case{"PhraseExactForms", "\"unit 61398\"", "units 61398", "", false},
                    Case{"HyphenatedTermIsAPhrase", "cyber-espionage", "Cyber espionage campaign", "", true},
                    Case{"HyphenatedText", "\"cyber espionage\"", "Cyber-espionage campaign", "", true},
                    Case{"HyphenatedOrder", "cyber-espionage", "Espionage, cyber", "", false},
                    Case{"PhraseAfterFalseStart", "\"unit 61398\"", "", "unit 7, unit unit 61398", true},
                    Case{"PhraseNotAcrossFields", "\"unit 61398\"", "about unit", "61398 officers", false}),
    [](const testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Operators, MatcherLanguage,
    testing::Values(Case{"AdjacencyIsAnd", "huawei sanctions", "Huawei", "new sanctions", true},
                    Case{"AndNeedsBoth", "huawei AND sanctions", "Huawei", "profits", false},
                    Case{"OrNeedsOne", "huawei OR zte", "ZTE results", "", true},
                    Case{"NotExcludes", "huawei NOT football", "Huawei sponsors football club", "", false},
                    Case{"NotPasses", "huawei NOT football", "Huawei sponsors 5G lab", "", true},
                    Case{"MinusExcludes", "huawei -sport", "Huawei", "sports pages", false},
                    Case{"NotBindsTighterThanAnd", "NOT sport huawei", "Huawei", "", true},
                    Case{"AndBindsTighterThanOr", "a b OR c", "c", "", true},
                    Case{"AndBindsTighterThanOrNeedsBoth", "a b OR c", "a", "", false},
                    Case{"Parentheses", "(china OR russia) hacker", "Russia's hackers", "", true},
                    Case{"ParenthesesNeedBoth", "(china OR russia) hacker", "China trade", "", false},
                    Case{"NotGroup", "huawei -(sport OR football)", "Huawei football", "", false},
                    Case{"Near", "china NEAR/3 hackers", "", "China said the hackers were", true},
                    Case{"NearEitherOrder", "hackers NEAR/3 china", "", "China said the hackers were", true},
                    Case{"NearTooFar", "china NEAR/1 hackers", "", "China said the hackers were", false},
                    Case{"NearZeroIsAdjacent", "china NEAR/0 hackers", "", "hacker China", true},
                    Case{"NearStems", "indictment NEAR/2 officers", "", "indicted five officer", true},
                    Case{"NearPhrase", "\"unit 61398\" NEAR/2 PLA", "", "PLA's Unit 61398", true},
                    Case{"NearSameWordTwice", "china NEAR/5 china", "", "China", false},
                    Case{"NearNotAcrossFields", "china NEAR/5 hackers", "China", "hackers", false}),
    [](const testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

// Fields of an item beyond title and text.
model::Item rich_item()
{
    model::Item result;
    result.title = "Huawei results";
    result.summary = "<p>Quarterly <b>revenue</b> grew</p>";
    result.content = "<p>Full story</p>";
    result.text = "Full story about Huawei and Unit 61398.";
    result.author = "Jane Smith";
    result.categories = {"Technology", "Sport news"};
    result.link = "https://news.example.com/tech/huawei-results";
    return result;
}

struct FieldCase {
    std::string query;
    bool matches;
};

class MatcherFields : public testing::TestWithParam<FieldCase> {};

TEST_P(MatcherFields, LookOnlyWhereTheQuerySays)
{
    const Matcher matcher({watchlist("w", GetParam().query)});
    const std::vector<std::string> tags = {"tech"};
    const FeedInfo feed{"https://news.example.com/feed", "Example Wire", tags};
    EXPECT_EQ(!matcher.match(rich_item(), feed).empty(), GetParam().matches) << GetParam().query;
}

INSTANTIATE_TEST_SUITE_P(
    Matcher, MatcherFields,
    testing::Values(FieldCase{"title:huawei", true}, FieldCase{"title:story", false}, FieldCase{"summary:revenue", true},
                    FieldCase{"summary:story", false}, FieldCase{"content:story", true},
                    FieldCase{"content:revenue", false}, FieldCase{"revenue", true}, FieldCase{"story", true},
                    FieldCase{"author:smith", true}, FieldCase{"author:=Smith", true}, FieldCase{"author:=smith", false},
                    FieldCase{"smith", false}, FieldCase{"category:sport", true}, FieldCase{"sport", false},
                    FieldCase{"category:\"sport news\"", true}, FieldCase{"category:\"technology sport\"", false},
                    FieldCase{"feed:wire", true}, FieldCase{"feed:\"example wire\"", true}, FieldCase{"wire", false},
                    FieldCase{"link:example.com", true}, FieldCase{"link:\"tech huawei\"", true},
                    FieldCase{"link:sport", false}, FieldCase{"title:(zte OR huawei)", true},
                    FieldCase{"title:(zte OR story)", false}, FieldCase{"huawei -category:sport", false},
                    FieldCase{"title:huawei NEAR/1 title:results", true}));

TEST(Matcher, ScopesWatchlistsToFeedsByTagOrUrlPrefix)
{
    auto by_tag = watchlist("by-tag", "huawei");
    by_tag.feeds = {"tag:china"};
    auto by_url = watchlist("by-url", "huawei");
    by_url.feeds = {"https://wire.example/asia/"};
    auto both = watchlist("both", "huawei");
    both.feeds = {"tag:nothing", "https://other.example/"};
    std::vector<WatchlistSpec> specs;
    specs.push_back(std::move(by_tag));
    specs.push_back(std::move(by_url));
    specs.push_back(std::move(both));
    const Matcher matcher(std::move(specs));
    const auto huawei = item("Huawei", "");

    const std::vector<std::string> china = {"tech", "china"};
    auto hits = matcher.match(huawei, FeedInfo{"https://wire.example/europe/rss", "Wire", china});
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].watchlist, "by-tag");

    hits = matcher.match(huawei, FeedInfo{"https://wire.example/asia/rss", "Wire", {}});
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].watchlist, "by-url");

    hits = matcher.match(huawei, FeedInfo{"https://other.example/feed", "Other", {}});
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].watchlist, "both");

    EXPECT_TRUE(matcher.match(huawei, FeedInfo{"https://wire.example/", "Wire", {}}).empty());
}

TEST(Matcher, StemsInTheWatchlistLanguage)
{
    auto german = watchlist("de", "Sanktion");
    german.language = "german";
    std::vector<WatchlistSpec> specs;
    specs.push_back(std::move(german));
    specs.push_back(watchlist("en", "Sanktion"));
    const Matcher matcher(std::move(specs));
    const auto hits = matcher.match(item("Neue Sanktionen gegen Moskau", ""));
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].watchlist, "de");
}

TEST(Matcher, RejectsAnUnknownLanguage)
{
    EXPECT_TRUE(is_known_language("english"));
    EXPECT_TRUE(is_known_language("french"));
    EXPECT_FALSE(is_known_language("klingon"));
    EXPECT_FALSE(is_known_language(""));
    auto spec = watchlist("w", "a");
    spec.language = "klingon";
    std::vector<WatchlistSpec> specs;
    specs.push_back(std::move(spec));
    EXPECT_THROW(Matcher{std::move(specs)}, std::invalid_argument);
}

TEST(Matcher, ReportsHitsInWatchlistOrderAndSkipsWatchlistsWithoutMatch)
{
    std::vector<WatchlistSpec> specs;
    specs.push_back(watchlist("first", "Huawei", {"ops"}));
    specs.push_back(watchlist("none", "zebra"));
    specs.push_back(watchlist("second", "indictment OR \"Unit 61398\"", {"ops", "legal"}));
    const Matcher matcher(std::move(specs));
    EXPECT_EQ(matcher.size(), 3U);
    const auto hits = matcher.match(item("Huawei executive indicted", "The indictment names Unit 61398 officers."));
    ASSERT_EQ(hits.size(), 2U);
    EXPECT_EQ(hits[0].watchlist, "first");
    EXPECT_EQ(hits[0].notify, std::vector<std::string>{"ops"});
    EXPECT_EQ(hits[1].watchlist, "second");
    EXPECT_EQ(hits[1].notify, (std::vector<std::string>{"ops", "legal"}));
    ASSERT_EQ(hits[1].matches.size(), 3U);
    EXPECT_EQ(hits[1].matches[0].term, "indictment");
    EXPECT_EQ(hits[1].matches[0].field, "title");
    EXPECT_EQ(hits[1].matches[0].snippet, "Huawei executive indicted");
    EXPECT_EQ(hits[1].matches[1].term, "unit 61398");
    EXPECT_EQ(hits[1].matches[1].field, "content");
    EXPECT_EQ(hits[1].matches[1].snippet, "The indictment names Unit 61398 officers.");
    EXPECT_EQ(hits[1].matches[2].term, "indictment");
    EXPECT_EQ(hits[1].matches[2].field, "content");
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

TEST(Matcher, ReportsNearAndNegatedQueriesByThePositiveTermsOnly)
{
    const Matcher matcher({watchlist("w", "china NEAR/3 hackers -football")});
    const auto hits = matcher.match(item("", "China says hackers struck"));
    ASSERT_EQ(hits.size(), 1U);
    ASSERT_EQ(hits[0].matches.size(), 1U);
    EXPECT_EQ(hits[0].matches[0].term, "china NEAR/3 hackers");
    EXPECT_EQ(hits[0].matches[0].snippet, "China says hackers struck");
}

TEST(Matcher, ReportsOnlyTheAlternativesThatMatched)
{
    const Matcher matcher({watchlist("w", "(huawei sanctions) OR zte")});
    const auto hits = matcher.match(item("Huawei and ZTE", ""));
    ASSERT_EQ(hits.size(), 1U);
    ASSERT_EQ(hits[0].matches.size(), 1U);
    EXPECT_EQ(hits[0].matches[0].term, "zte");
}

TEST(Matcher, KeepsAtMostThreeMatchesPerHit)
{
    const Matcher matcher({watchlist("w", "a OR b OR c OR d")});
    const auto hits = matcher.match(item("a b c d", "a b c d"));
    ASSERT_EQ(hits.size(), 1U);
    ASSERT_EQ(hits[0].matches.size(), 3U);
    EXPECT_EQ(hits[0].matches[0].term, "a");
    EXPECT_EQ(hits[0].matches[1].term, "b");
    EXPECT_EQ(hits[0].matches[2].term, "c");
}

TEST(Matcher, UsesTheSummaryWhenThereIsNoContent)
{
    const Matcher matcher({watchlist("w", "sanctions")});
    const auto hits = matcher.match(item("Title", "", "New <b>sanctions</b> announced"));
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].matches[0].field, "summary");
    EXPECT_EQ(hits[0].matches[0].snippet, "New sanctions announced");
    EXPECT_TRUE(matcher.match(item("Title", "nothing here", "New sanctions announced")).empty());
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
    EXPECT_GE(snippet.size(), 120U);
    EXPECT_NE(snippet.find("Huawei"), std::string::npos) << snippet;
}

TEST(Matcher, ManyWatchlistsSharingWordsAllFire)
{
    std::vector<WatchlistSpec> specs;
    for (int i = 0; i < 200; ++i) {
        specs.push_back(watchlist("w" + std::to_string(i), i % 2 == 0 ? "huawei" : "huawei -zte"));
    }
    const Matcher matcher(std::move(specs));
    EXPECT_EQ(matcher.match(item("Huawei", "")).size(), 200U);
    EXPECT_EQ(matcher.match(item("Huawei", "ZTE")).size(), 100U);
}

TEST(Matcher, FindGivesTheSameHitsAsMatchAndBuildsTheirMatchesOnRequest)
{
    const Matcher matcher({watchlist("china", "huawei OR zte", {"ops", "desk"}), watchlist("sport", "football"),
                           watchlist("unit", "\"unit 61398\"", {})});
    const auto article = item("Huawei and ZTE", "Unit 61398 was named; Huawei denied it.");
    const auto hits = matcher.match(article);
    const Matches found = matcher.find(article);
    ASSERT_EQ(found.size(), hits.size());
    ASSERT_EQ(found.size(), 2U);
    for (std::size_t i = 0; i < found.size(); ++i) {
        EXPECT_EQ(found.watchlist(i).name, hits[i].watchlist);
        EXPECT_EQ(found.watchlist(i).notify, hits[i].notify);
        const auto matches = found.matches(i);
        ASSERT_EQ(matches.size(), hits[i].matches.size());
        for (std::size_t m = 0; m < matches.size(); ++m) {
            EXPECT_EQ(matches[m].term, hits[i].matches[m].term);
            EXPECT_EQ(matches[m].field, hits[i].matches[m].field);
            EXPECT_EQ(matches[m].snippet, hits[i].matches[m].snippet);
        }
    }
    EXPECT_EQ(found.hit(1).matches.at(0).snippet, "Unit 61398 was named; Huawei denied it.");
    EXPECT_TRUE(matcher.find(item("Weather", "Rain")).empty());
    EXPECT_TRUE(Matcher({}).find(article).empty());
}

TEST(Matcher, PhraseNeedsItsTwoLongestWordsButMatchesOnlyInOrder)
{
    // The index lets a phrase through only when two of its words occur; the words must still
    // be consecutive and in order.
    const Matcher matcher({watchlist("w", "\"the state council\"")});
    EXPECT_EQ(matcher.match(item("", "The State Council met.")).size(), 1U);
    EXPECT_TRUE(matcher.match(item("", "The council of the state met.")).empty());
    EXPECT_TRUE(matcher.match(item("", "State media: the council met.")).empty());
    EXPECT_TRUE(matcher.match(item("", "The state met.")).empty());
}

TEST(Matcher, AOneWordWatchlistShowsTheFirstMatchOfEachFieldAcrossItsWordForms)
{
    // A one-word watchlist is decided from the article's words that share its stem: with
    // one form, the first occurrence per field; with several forms, merged in field order.
    const Matcher matcher({watchlist("one-form", "sanction"), watchlist("forms", "indictment")});
    auto article = item("Indicted, then sanctions", "sanctions again; indictments and an indictment",
                        "an indictment; sanctions");
    article.content = article.text;  // with a summary, text is the content's only when there is content
    const auto hits = matcher.match(article);
    ASSERT_EQ(hits.size(), 2U);
    ASSERT_EQ(hits[0].matches.size(), 3U);
    EXPECT_EQ(hits[0].matches[0].field, "title");
    EXPECT_EQ(hits[0].matches[1].field, "summary");
    EXPECT_EQ(hits[0].matches[2].field, "content");
    EXPECT_EQ(hits[0].matches[0].term, "sanction");
    ASSERT_EQ(hits[1].matches.size(), 3U);
    EXPECT_EQ(hits[1].matches[0].field, "title");
    EXPECT_EQ(hits[1].matches[0].snippet, "Indicted, then sanctions");
    EXPECT_EQ(hits[1].matches[1].field, "summary");
    EXPECT_EQ(hits[1].matches[2].field, "content");
    EXPECT_EQ(hits[1].matches[2].term, "indictment");
    const auto unindexed = matcher.match_unindexed(article);
    ASSERT_EQ(unindexed.size(), hits.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
        ASSERT_EQ(unindexed[i].matches.size(), hits[i].matches.size());
        for (std::size_t m = 0; m < hits[i].matches.size(); ++m) {
            EXPECT_EQ(unindexed[i].matches[m].field, hits[i].matches[m].field);
            EXPECT_EQ(unindexed[i].matches[m].snippet, hits[i].matches[m].snippet);
        }
    }
}

TEST(Matcher, AOneWordWatchlistWithAFeedsScopeStaysScopedBesideUnscopedOnes)
{
    WatchlistSpec scoped = watchlist("scoped", "huawei");
    scoped.feeds = {"tag:tech"};
    const Matcher matcher({watchlist("plain", "huawei"), std::move(scoped), watchlist("fields", "title:huawei")});
    const std::vector<std::string> tech = {"tech"};
    const auto in_scope = matcher.match(item("", "Huawei results"), FeedInfo{"http://a/", "A", tech});
    ASSERT_EQ(in_scope.size(), 2U);
    EXPECT_EQ(in_scope[0].watchlist, "plain");
    EXPECT_EQ(in_scope[1].watchlist, "scoped");
    const auto out_of_scope = matcher.match(item("Huawei", "Huawei results"), FeedInfo{"http://a/", "A", {}});
    ASSERT_EQ(out_of_scope.size(), 2U);
    EXPECT_EQ(out_of_scope[0].watchlist, "plain");
    EXPECT_EQ(out_of_scope[1].watchlist, "fields");
}

TEST(Matcher, GivesTheSameVerdictsAfterItsWordCacheFillsUpAndStartsOver)
{
    // The word cache remembers 2^17 distinct words, then starts over: one article with more
    // distinct words than that grows and clears it; verdicts before and after must agree.
    const Matcher matcher({watchlist("legal", "indictment"), watchlist("unit", "\"unit 61398\"")});
    const auto article = item("Indictments", "unit 61398 named");
    const auto before = matcher.match(article);
    std::string many;
    for (int i = 0; i < 135000; ++i) {
        many += "w" + std::to_string(i) + " ";
    }
    EXPECT_EQ(matcher.match(item("indicted", many)).size(), 1U);
    EXPECT_EQ(matcher.match(item("", many + "unit 61398")).size(), 1U);
    const auto after = matcher.match(article);
    ASSERT_EQ(before.size(), 2U);
    ASSERT_EQ(after.size(), before.size());
    EXPECT_EQ(after[0].matches.at(0).snippet, before[0].matches.at(0).snippet);
    EXPECT_EQ(after[1].watchlist, "unit");
}

TEST(Matcher, TellsApartEveryWordOfATwoLetterAlphabetUpToNineLetters)
{
    // Words are known by their hashes (the article's table, the matcher's word cache): words
    // that share most of their bytes, or whose lengths differ by one, must still be told apart.
    std::vector<std::string> words;
    for (std::size_t length = 1; length <= 9; ++length) {
        for (std::size_t bits = 0; bits < (std::size_t{1} << length); ++bits) {
            std::string word;
            for (std::size_t i = 0; i < length; ++i) {
                word += ((bits >> i) & 1) != 0 ? 'c' : 'b';
            }
            words.push_back(word);
        }
    }
    std::vector<WatchlistSpec> specs;
    for (const auto& word : words) {
        specs.push_back(watchlist(word, "\"" + word + "\""));
    }
    const Matcher matcher(std::move(specs));
    for (const auto& word : words) {
        const auto hits = matcher.match(item("", "x " + word + " y"));
        ASSERT_EQ(hits.size(), 1U) << word;
        EXPECT_EQ(hits[0].watchlist, word);
    }
}

TEST(Highlight, MarksTheWordsThePositiveTermsMatch)
{
    const auto query = Query::parse(R"((indictment OR "Unit 61398" OR =PLA OR cyber*) -football)");
    ASSERT_TRUE(query);
    const std::string text = "Indicted: unit 61398 and the PLA, not pla; cyberattacks. Football.";
    std::vector<std::string> marked;
    for (const auto& [begin, end] : highlight(*query, "english", text)) {
        marked.push_back(text.substr(begin, end - begin));
    }
    EXPECT_EQ(marked, (std::vector<std::string>{"Indicted", "unit 61398", "PLA", "cyberattacks"}));
    EXPECT_THROW(highlight(*query, "klingon", text), std::invalid_argument);
}

}  // namespace
}  // namespace feedwatch::match
