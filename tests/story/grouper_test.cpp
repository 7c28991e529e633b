// Fictional articles written for this project: people, places and outlets are invented.
#include "story/grouper.hpp"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace feedwatch::story {
namespace {

using namespace std::chrono_literals;

const core::Instant k_monday = core::Instant(std::chrono::seconds(1'790'000'000));

struct Report {
    std::string id;
    std::string title;
    std::string text;
    std::string source;
    core::Instant arrived = k_monday;
};

Assignment assign(Grouper& grouper, const Report& report)
{
    return grouper.assign(ArticleInput{report.id, report.title, report.text, report.source, report.arrived});
}

const Report k_wire{
    "wire-1", "Port chief Velasquez indicted on bribery charges in Harborview",
    "HARBORVIEW (Northwire) - A federal grand jury in Harborview indicted port authority director Marta Velasquez "
    "on Tuesday on 14 counts of bribery and wire fraud, accusing her of taking $2.3 million from the dredging firm "
    "Calder Marine in exchange for contracts at the Pier 61398 terminal. Velasquez, 58, has led the Harborview Port "
    "Authority since 2019. Prosecutors said the payments were routed through a consulting company registered to her "
    "brother-in-law. Her lawyer, Tomas Reyes, said she would plead not guilty and called the case politically "
    "motivated. Calder Marine said it was cooperating with investigators.",
    "northwire.example"};

const Report k_trade{
    "trade-1", "Dredging contracts at centre of Velasquez case",
    "Shipping executives in Harborview were digesting news that Marta Velasquez, the port director who oversaw "
    "the expansion of the Pier 61398 container terminal, faces federal bribery and fraud charges. The indictment "
    "says Calder Marine paid $2.3 million to win dredging work. Several terminal operators said contract awards "
    "would now be reviewed. Velasquez denies wrongdoing, according to her attorney Tomas Reyes.",
    "portweekly.example"};

const Report k_markets{
    "markets-1", "CALDER MARINE SHARES FALL AFTER HARBORVIEW PORT DIRECTOR CHARGED",
    "Calder Marine stock dropped 11 percent in early trading after prosecutors charged Harborview port director "
    "Marta Velasquez with accepting $2.3 million in bribes from the company. Analysts at Fenwick Securities said "
    "the Pier 61398 dredging contract was worth about a fifth of Calder Marine revenue. The company said it is "
    "cooperating with the federal investigation into Velasquez.",
    "marketdesk.example"};

const Report k_other_indictment{
    "local-2", "Glenmoor mayor Oduya indicted on fraud charges",
    "GLENMOOR - A federal grand jury indicted Glenmoor mayor Patrick Oduya on Thursday on nine counts of wire fraud "
    "and bribery, accusing him of steering $800,000 in road paving contracts to Brightline Asphalt, a company owned "
    "by a campaign donor. Oduya, 47, was first elected in 2021. Prosecutors said the donor, Lyle Banner, paid for "
    "renovations at the mayor's lake house. Oduya's lawyer, Ines Marchetti, said he would plead not guilty.",
    "glenmoorherald.example", k_monday + 48h};

TEST(Grouper, ThreeOutletsReportingOneEventInDifferentWordsBecomeOneStory)
{
    Grouper grouper;
    const auto first = assign(grouper, k_wire);
    EXPECT_EQ(first.outcome, Outcome::started);
    EXPECT_EQ(first.story, "wire-1");
    const auto second = assign(grouper, k_trade);
    const auto third = assign(grouper, k_markets);
    EXPECT_EQ(second.outcome, Outcome::joined);
    EXPECT_EQ(second.story, "wire-1") << second.similarity;
    EXPECT_EQ(third.story, "wire-1") << third.similarity;
    EXPECT_FALSE(second.near_duplicate);
    EXPECT_EQ(grouper.open_stories(), 1u);
    const auto summary = grouper.story("wire-1");
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->articles, 3u);
    EXPECT_EQ(summary->first_title, k_wire.title);
    EXPECT_EQ(summary->outlets,
              (std::vector<std::string>{"northwire.example", "portweekly.example", "marketdesk.example"}));
}

TEST(Grouper, TwoIndictmentsOfDifferentPeopleInDifferentCitiesInOneWeekStayTwoStories)
{
    Grouper grouper;
    assign(grouper, k_wire);
    assign(grouper, k_trade);
    const auto other = assign(grouper, k_other_indictment);
    EXPECT_EQ(other.outcome, Outcome::started) << other.similarity;
    EXPECT_EQ(other.story, "local-2");
    EXPECT_LT(other.similarity, grouper.options().threshold);
    // And a later report on the first indictment still finds its own story among the two.
    const auto markets = assign(grouper, k_markets);
    EXPECT_EQ(markets.story, "wire-1");
    EXPECT_EQ(grouper.open_stories(), 2u);
}

TEST(Grouper, AWireReprintUnderANewHeadlineJoinsAsANearDuplicate)
{
    Grouper grouper;
    assign(grouper, k_wire);
    assign(grouper, k_other_indictment);
    Report reprint = k_wire;
    reprint.id = "reprint-1";
    reprint.title = "Local official faces charges";             // shares no distinctive word with the original headline
    reprint.text.replace(0, reprint.text.find(" - ") + 3, "");  // dateline dropped
    reprint.text += " The Herald will update this story.";
    reprint.source = "smalltownherald.example";
    const auto assignment = assign(grouper, reprint);
    EXPECT_EQ(assignment.outcome, Outcome::joined);
    EXPECT_EQ(assignment.story, "wire-1");
    EXPECT_TRUE(assignment.near_duplicate);
}

TEST(Grouper, AReportAfterTheWindowStartsANewStoryAndClosesTheOldOne)
{
    Grouper grouper(Options{72h, k_default_threshold});
    assign(grouper, k_wire);
    Report within = k_trade;
    within.arrived = k_monday + 71h;
    EXPECT_EQ(assign(grouper, within).story, "wire-1");  // the window runs from the last report

    Report late = k_markets;
    late.arrived = within.arrived + 72h + 1s;
    const auto assignment = assign(grouper, late);
    EXPECT_EQ(assignment.outcome, Outcome::started);
    EXPECT_EQ(assignment.story, "markets-1");
    EXPECT_EQ(assignment.closed, std::vector<std::string>{"wire-1"});
    EXPECT_FALSE(grouper.story("wire-1"));
    EXPECT_EQ(grouper.open_stories(), 1u);
}

TEST(Grouper, CloseIdleClosesOnlyStoriesPastTheWindow)
{
    Grouper grouper(Options{72h, k_default_threshold});
    assign(grouper, k_wire);              // Monday
    assign(grouper, k_other_indictment);  // Wednesday
    EXPECT_TRUE(grouper.close_idle(k_monday + 72h).empty());
    EXPECT_EQ(grouper.close_idle(k_monday + 72h + 1s), std::vector<std::string>{"wire-1"});
    EXPECT_EQ(grouper.open_stories(), 1u);
    EXPECT_EQ(grouper.close_idle(k_other_indictment.arrived + 72h + 1s), std::vector<std::string>{"local-2"});
    EXPECT_EQ(grouper.open_stories(), 0u);
}

TEST(Grouper, ARepeatedArticleIdStartsAStoryWithADistinctId)
{
    Grouper grouper;
    assign(grouper, k_wire);
    Report unrelated = k_other_indictment;
    unrelated.id = "wire-1";
    const auto assignment = assign(grouper, unrelated);
    EXPECT_EQ(assignment.outcome, Outcome::started);
    EXPECT_EQ(assignment.story, "wire-1~2");
}

TEST(Grouper, SnapshotAndRestoreKeepAssignmentsAndContinueIdentically)
{
    Grouper original;
    assign(original, k_wire);
    assign(original, k_other_indictment);
    const std::string saved = original.snapshot();

    auto restored = Grouper::restore(saved, Options{});
    ASSERT_TRUE(restored) << restored.error().detail;
    EXPECT_EQ(restored->snapshot(), saved);
    EXPECT_EQ(restored->open_stories(), 2u);
    ASSERT_TRUE(restored->story("wire-1"));
    EXPECT_EQ(restored->story("wire-1")->outlets, std::vector<std::string>{"northwire.example"});

    for (const Report& next : {k_trade, k_markets}) {
        const auto expected = assign(original, next);
        const auto actual = assign(*restored, next);
        EXPECT_EQ(actual.story, expected.story);
        EXPECT_EQ(actual.outcome, expected.outcome);
        EXPECT_DOUBLE_EQ(actual.similarity, expected.similarity);
    }
    EXPECT_EQ(restored->story("wire-1")->articles, 3u);
    EXPECT_EQ(restored->snapshot(), original.snapshot());
}

// A stream where stories take many reports and change their index terms as they grow: a
// grouper that updated its index in place must choose as one rebuilt from a snapshot does.
TEST(Grouper, AnIndexUpdatedReportByReportChoosesAsOneRebuiltFromASnapshot)
{
    const std::vector<std::string> words{"council", "budget", "harbor", "vote", "court", "storm", "bridge",
                                         "school", "strike", "fire", "river", "market", "police", "rail"};
    const std::vector<std::string> names{"Aldana", "Brennick", "Castellow", "Dunmore", "Ebberly", "Farrow",
                                         "Galloway", "Hollins", "Ingram", "Jessup", "Kestrel", "Lomax"};
    std::vector<Report> reports;
    for (int i = 0; i < 240; ++i) {
        const int event = (i * 7) % 12;
        std::string text = names[static_cast<std::size_t>(event)] + " " + std::to_string(1000 + event);
        for (int w = 0; w < 30; ++w) {
            text += " " + words[static_cast<std::size_t>((i * 5 + w * w + event) % 14)];
        }
        reports.push_back(Report{"r-" + std::to_string(i), names[static_cast<std::size_t>(event)] + " " +
                                                               words[static_cast<std::size_t>(i % 14)],
                                 text, "outlet" + std::to_string(i % 5) + ".example", k_monday + i * 1min});
    }
    Grouper live;
    std::size_t joined = 0;
    for (std::size_t i = 0; i < 120; ++i) {
        joined += assign(live, reports[i]).outcome == Outcome::joined ? 1 : 0;
    }
    auto rebuilt = Grouper::restore(live.snapshot(), Options{});
    ASSERT_TRUE(rebuilt) << rebuilt.error().detail;
    for (std::size_t i = 120; i < reports.size(); ++i) {
        const auto expected = assign(*rebuilt, reports[i]);
        const auto actual = assign(live, reports[i]);
        ASSERT_EQ(actual.story, expected.story) << reports[i].id;
        EXPECT_EQ(actual.outcome, expected.outcome) << reports[i].id;
        EXPECT_DOUBLE_EQ(actual.similarity, expected.similarity) << reports[i].id;
        joined += actual.outcome == Outcome::joined ? 1 : 0;
    }
    EXPECT_GT(joined, reports.size() / 2);  // the stream did exercise joins
    EXPECT_EQ(live.snapshot(), rebuilt->snapshot());
}

// Forty one-off stories of made-up words, ten days before Monday: closed by the time
// Monday's reports arrive, their terms held by no open story and seen in one article each.
std::vector<Report> stale_one_offs()
{
    std::vector<Report> reports;
    for (int i = 0; i < 40; ++i) {
        std::string text;
        for (int w = 0; w < 10; ++w) {
            text += " quor" + std::to_string(i) + "x" + std::to_string(w);
        }
        reports.push_back(Report{"old-" + std::to_string(i), "quor" + std::to_string(i), text, "old.example",
                                 k_monday - 240h + i * 1min});
    }
    return reports;
}

TEST(Grouper, ForgetsTermsNoOpenStoryHoldsOnceItsVocabularyIsFullAndGroupsAsBefore)
{
    // The bound is set between the vocabulary before and after the wire report, so that the
    // wire report's assign() has to cut it, with the one-off stories closed by then.
    Grouper probe;
    for (const auto& report : stale_one_offs()) {
        assign(probe, report);
    }
    const std::size_t before_wire = probe.vocabulary_size();
    assign(probe, k_wire);
    const std::size_t after_wire = probe.vocabulary_size();
    ASSERT_GT(after_wire, before_wire + 10);

    Options bounded;
    bounded.max_vocabulary = (before_wire + after_wire) / 2;
    Grouper pruned(bounded);
    Grouper reference;
    for (const auto& report : stale_one_offs()) {
        assign(pruned, report);
        assign(reference, report);
        EXPECT_LE(pruned.vocabulary_size(), bounded.max_vocabulary);
    }
    assign(pruned, k_wire);
    assign(reference, k_wire);
    EXPECT_LE(pruned.vocabulary_size(), bounded.max_vocabulary / 2);
    EXPECT_EQ(reference.vocabulary_size(), after_wire);

    // The dropped terms were the one-offs': the reports of Monday's story score exactly as
    // they do in a grouper that forgot nothing, before and after a snapshot.
    auto restored = Grouper::restore(pruned.snapshot(), bounded);
    ASSERT_TRUE(restored) << restored.error().detail;
    for (const Report& next : {k_trade, k_markets, k_other_indictment}) {
        const auto expected = assign(reference, next);
        for (Grouper* grouper : {&pruned, &*restored}) {
            const auto actual = assign(*grouper, next);
            EXPECT_EQ(actual.story, expected.story) << next.id;
            EXPECT_EQ(actual.outcome, expected.outcome) << next.id;
            EXPECT_DOUBLE_EQ(actual.similarity, expected.similarity) << next.id;
        }
    }
    EXPECT_EQ(pruned.story("wire-1")->articles, 3u);
    EXPECT_EQ(restored->snapshot(), pruned.snapshot());
}

TEST(Grouper, ArticlesPreparedOnAnotherThreadAreGroupedExactlyAsByAssignAlone)
{
    const std::vector<Report> reports{k_wire, k_trade, k_other_indictment, k_markets};
    // Features computed on two other threads (each with its own stemmer and word cache), in
    // parallel, then assigned here in order.
    std::vector<PreparedArticle> prepared(reports.size());
    std::thread odd([&] {
        for (std::size_t i = 1; i < reports.size(); i += 2) {
            prepared[i] = prepare(reports[i].title, reports[i].text);
        }
    });
    std::thread even([&] {
        for (std::size_t i = 0; i < reports.size(); i += 2) {
            prepared[i] = prepare(reports[i].title, reports[i].text);
        }
    });
    odd.join();
    even.join();
    Grouper serial;
    Grouper parallel;
    for (std::size_t i = 0; i < reports.size(); ++i) {
        const auto& report = reports[i];
        const auto expected = assign(serial, report);
        const auto actual = parallel.assign(
            ArticleInput{report.id, report.title, report.text, report.source, report.arrived}, prepared[i]);
        EXPECT_EQ(actual.story, expected.story) << report.id;
        EXPECT_EQ(actual.outcome, expected.outcome) << report.id;
        EXPECT_EQ(actual.similarity, expected.similarity) << report.id;
    }
    EXPECT_EQ(parallel.snapshot(), serial.snapshot());
}

TEST(Grouper, RestoreRejectsWhatIsNotASnapshot)
{
    for (const std::string text :
         {"", "{}", "[1,2]", R"({"version":2})",
          R"({"version":1,"articles_seen":1,"clock":0,"next_handle":1,"terms":[],)"
          R"("stories":[{"handle":0,"id":"a","first_title":"","first_seen":0,"last_seen":0,)"
          R"("articles":1,"outlets":[],"centroid":[[5,1.0,false]],"index_terms":[],"bands":[]}]})"}) {
        const auto restored = Grouper::restore(text, Options{});
        ASSERT_FALSE(restored) << text;
        EXPECT_EQ(restored.error().code, core::ErrorCode::parse);
    }
}

}  // namespace
}  // namespace feedwatch::story
