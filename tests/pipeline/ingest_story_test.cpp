// Ingest with story grouping on, against a real store in a temp dir. Fictional articles
// written for this project: people, places and outlets are invented.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/ids.hpp"
#include "pipeline/ingest.hpp"
#include "pipeline/story_book.hpp"
#include "support/temp_dir.hpp"

namespace feedwatch::pipeline {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Report {
    std::string guid;
    std::string title;
    std::string text;
};

const Report k_wire{
    "wire-1", "Port chief Velasquez indicted on bribery charges in Harborview",
    "HARBORVIEW (Northwire) - A federal grand jury in Harborview indicted port authority director Marta Velasquez "
    "on Tuesday on 14 counts of bribery and wire fraud, accusing her of taking $2.3 million from the dredging firm "
    "Calder Marine in exchange for contracts at the Pier 61398 terminal. Velasquez, 58, has led the Harborview Port "
    "Authority since 2019. Prosecutors said the payments were routed through a consulting company registered to her "
    "brother-in-law. Her lawyer, Tomas Reyes, said she would plead not guilty and called the case politically "
    "motivated. Calder Marine said it was cooperating with investigators."};

const Report k_trade{
    "trade-1", "Dredging contracts at centre of Velasquez case",
    "Shipping executives in Harborview were digesting news that Marta Velasquez, the port director who oversaw "
    "the expansion of the Pier 61398 container terminal, faces federal bribery and fraud charges. The indictment "
    "says Calder Marine paid $2.3 million to win dredging work. Several terminal operators said contract awards "
    "would now be reviewed. Velasquez denies wrongdoing, according to her attorney Tomas Reyes."};

const Report k_markets{
    "markets-1", "CALDER MARINE SHARES FALL AFTER HARBORVIEW PORT DIRECTOR CHARGED",
    "Calder Marine stock dropped 11 percent in early trading after prosecutors charged Harborview port director "
    "Marta Velasquez with accepting $2.3 million in bribes from the company. Analysts at Fenwick Securities said "
    "the Pier 61398 dredging contract was worth about a fifth of Calder Marine revenue. The company said it is "
    "cooperating with the federal investigation into Velasquez."};

const Report k_other_indictment{
    "local-2", "Glenmoor mayor Oduya indicted on fraud charges",
    "GLENMOOR - A federal grand jury indicted Glenmoor mayor Patrick Oduya on Thursday on nine counts of wire fraud "
    "and bribery, accusing him of steering $800,000 in road paving contracts to Brightline Asphalt, a company owned "
    "by a campaign donor. Oduya, 47, was first elected in 2021. Prosecutors said the donor, Lyle Banner, paid for "
    "renovations at the mayor's lake house. Oduya's lawyer, Ines Marchetti, said he would plead not guilty."};

// The outlets: a feed URL and its title.
struct Outlet {
    std::string url;
    std::string title;
};
const Outlet k_northwire{"http://northwire.example/rss", "Northwire"};
const Outlet k_portweekly{"http://portweekly.example/feed.xml", "Port Weekly"};
const Outlet k_marketdesk{"http://marketdesk.example/news", "Market Desk"};

std::string rss(const Outlet& outlet, const std::vector<Report>& reports)
{
    std::string body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + outlet.title +
                       "</title><link>" + outlet.url + "</link>";
    for (const Report& report : reports) {
        body += "<item><guid>" + report.guid + "</guid><title>" + report.title + "</title><description>" + report.text +
                "</description></item>";
    }
    return body + "</channel></rss>";
}

std::string article_id(const Outlet& outlet, const Report& report)
{
    return model::article_id(outlet.url, report.guid);
}

// Watchlist name and query; each notifies the webhook "hook".
std::shared_ptr<const match::Matcher> matcher(const std::vector<std::pair<std::string, std::string>>& watchlists)
{
    std::vector<match::WatchlistSpec> specs;
    for (const auto& [name, text] : watchlists) {
        auto query = match::Query::parse(text);
        EXPECT_TRUE(query) << text;
        match::WatchlistSpec spec;
        spec.name = name;
        spec.query = std::move(*query);
        spec.notify = {"hook"};
        specs.push_back(std::move(spec));
    }
    return std::make_shared<const match::Matcher>(std::move(specs));
}

class IngestStoryTest : public ::testing::Test {
protected:
    void SetUp() override { open(); }

    // Opens the store and the story book as a daemon start does.
    void open(std::chrono::seconds snapshot_every = StoryBook::k_snapshot_every)
    {
        auto opened = store::Store::open(m_dir.path() / "state");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
        auto book = StoryBook::open(*m_store, story::Options{}, snapshot_every);
        ASSERT_TRUE(book) << book.error().detail;
        m_stories = std::move(*book);
    }

    // A process kill: nothing saved on the way out (the WAL keeps every commit).
    void kill_and_restart(std::chrono::seconds snapshot_every = StoryBook::k_snapshot_every)
    {
        m_stories.reset();
        m_store.reset();
        open(snapshot_every);
    }

    IngestResult poll(const Outlet& outlet, const std::vector<Report>& reports)
    {
        IngestJob job;
        job.feed.url = outlet.url;
        job.bounds.interval = 600s;
        job.response.outcome = fetch::Outcome::ok;
        job.response.status = 200;
        job.response.body = rss(outlet, reports);
        job.response.effective_url = outlet.url;
        job.matcher = m_matcher;
        job.stories = m_stories;
        IngestResult result = ingest(*m_store, std::move(job));
        EXPECT_EQ(result.outcome, IngestOutcome::committed) << result.detail;
        return result;
    }

    std::string story_of(const Outlet& outlet, const Report& report) const
    {
        auto article = m_store->article(article_id(outlet, report));
        EXPECT_TRUE(article && *article) << report.guid;
        return article && *article ? (*article)->story : std::string{};
    }

    testing_support::TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
    std::shared_ptr<StoryBook> m_stories;
    std::shared_ptr<const match::Matcher> m_matcher = matcher({{"legal", "indictment"}});
};

TEST_F(IngestStoryTest, EveryNewArticleIsStoredWithTheStoryItStartedOrJoined)
{
    const IngestResult first = poll(k_northwire, {k_wire, k_other_indictment});
    EXPECT_EQ(first.stories_started, 2u);
    EXPECT_EQ(first.stories_joined, 0u);
    const IngestResult second = poll(k_portweekly, {k_trade});
    EXPECT_EQ(second.stories_started, 0u);
    EXPECT_EQ(second.stories_joined, 1u);
    EXPECT_EQ(second.open_stories, 2u);

    const std::string wire_story = article_id(k_northwire, k_wire);
    EXPECT_EQ(story_of(k_northwire, k_wire), wire_story);
    EXPECT_EQ(story_of(k_northwire, k_other_indictment), article_id(k_northwire, k_other_indictment));
    EXPECT_EQ(story_of(k_portweekly, k_trade), wire_story);
}

TEST_F(IngestStoryTest, AKillAndRestartKeepsAssignmentsByReplayingTheArticlesCommittedAfterTheSnapshot)
{
    poll(k_northwire, {k_wire, k_other_indictment});
    kill_and_restart();
    EXPECT_EQ(m_stories->replayed(), 2u);
    EXPECT_EQ(m_stories->lock().open_stories(), 2u);

    const IngestResult later = poll(k_marketdesk, {k_markets});
    EXPECT_EQ(later.stories_joined, 1u);
    EXPECT_EQ(story_of(k_marketdesk, k_markets), article_id(k_northwire, k_wire));
}

TEST_F(IngestStoryTest, AShutdownSnapshotCoversEveryArticleSoARestartReplaysNone)
{
    poll(k_northwire, {k_wire, k_other_indictment});
    poll(k_portweekly, {k_trade});
    ASSERT_TRUE(m_stories->save());
    kill_and_restart();
    EXPECT_EQ(m_stories->replayed(), 0u);

    poll(k_marketdesk, {k_markets});
    EXPECT_EQ(story_of(k_marketdesk, k_markets), article_id(k_northwire, k_wire));
    const auto story = m_stories->lock().story(article_id(k_northwire, k_wire));
    ASSERT_TRUE(story);
    EXPECT_EQ(story->articles, 3u);
    EXPECT_EQ(story->outlets, (std::vector<std::string>{"Northwire", "Port Weekly", "Market Desk"}));
}

TEST_F(IngestStoryTest, ASnapshotWrittenWithACommitCoversExactlyTheArticlesCommittedUpToIt)
{
    kill_and_restart(0s);  // every commit carries a snapshot
    poll(k_northwire, {k_wire, k_other_indictment});
    kill_and_restart(0s);
    EXPECT_EQ(m_stories->replayed(), 0u);
    EXPECT_EQ(m_stories->lock().open_stories(), 2u);

    poll(k_portweekly, {k_trade});
    kill_and_restart(0s);
    EXPECT_EQ(m_stories->replayed(), 0u);
    const auto story = m_stories->lock().story(article_id(k_northwire, k_wire));
    ASSERT_TRUE(story);
    EXPECT_EQ(story->articles, 2u);
}

}  // namespace
}  // namespace feedwatch::pipeline
