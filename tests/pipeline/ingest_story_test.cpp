// Ingest with story grouping on, against a real store in a temp dir. Fictional articles
// written for this project: people, places and outlets are invented.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deliver/story_digest.hpp"
#include "model/ids.hpp"
#include "pipeline/ingest.hpp"
#include "pipeline/story_book.hpp"
#include "store/stories.hpp"
#include "support/temp_dir.hpp"

namespace feedwatch::pipeline {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Report {
    std::string guid;
    std::string title;
    std::string text;
    std::string pub_date = {};  // RFC 822; none when empty
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
                "</description>" + (report.pub_date.empty() ? "" : "<pubDate>" + report.pub_date + "</pubDate>") +
                "</item>";
    }
    return body + "</channel></rss>";
}

std::string article_id(const Outlet& outlet, const Report& report)
{
    return model::article_id(outlet.url, report.guid);
}

// Watchlist name and query; each notifies the webhooks in notify.
std::shared_ptr<const match::Matcher> matcher(const std::vector<std::pair<std::string, std::string>>& watchlists,
                                              const std::vector<std::string>& notify = {"hook"})
{
    std::vector<match::WatchlistSpec> specs;
    for (const auto& [name, text] : watchlists) {
        auto query = match::Query::parse(text);
        EXPECT_TRUE(query) << text;
        match::WatchlistSpec spec;
        spec.name = name;
        spec.query = std::move(*query);
        spec.notify = notify;
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
        job.stories = m_grouping ? m_stories : nullptr;
        job.story_updates = m_story_updates;
        IngestResult result = ingest(*m_store, std::move(job));
        EXPECT_EQ(result.outcome, IngestOutcome::committed) << result.detail;
        return result;
    }

    // The queued alerts' payloads, oldest first.
    std::vector<json> alerts() const
    {
        std::vector<json> payloads;
        auto rows = m_store->outbox_all();
        EXPECT_TRUE(rows);
        for (const store::QueuedAlert& row : rows ? *rows : std::vector<store::QueuedAlert>{}) {
            payloads.push_back(json::parse(row.entry.body));
        }
        return payloads;
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
    bool m_grouping = true;
    std::shared_ptr<const StoryUpdatePolicies> m_story_updates;
};

std::vector<std::string> types_of(const std::vector<json>& payloads)
{
    std::vector<std::string> types;
    for (const json& payload : payloads) {
        types.push_back(payload.at("type"));
    }
    return types;
}

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

TEST_F(IngestStoryTest, BacklogPublishedLongBeforeItArrivesGetsStoriesThatCloseAtOnce)
{
    // A feed's first poll lists its archive: a story per archived item must not stay open
    // for a whole window (100,000 feeds would hold millions of them).
    Report old_wire = k_wire;
    old_wire.pub_date = "Tue, 20 May 2014 04:05:00 GMT";
    Report old_other = k_other_indictment;
    old_other.pub_date = "Thu, 22 May 2014 09:00:00 GMT";
    const IngestResult first = poll(k_northwire, {old_wire, old_other});
    EXPECT_EQ(first.stories_started, 2u);
    EXPECT_EQ(first.open_stories, 1u);  // the last one, until the next article arrives
    EXPECT_EQ(story_of(k_northwire, old_wire), article_id(k_northwire, old_wire));
    EXPECT_EQ(story_of(k_northwire, old_other), article_id(k_northwire, old_other));

    const IngestResult second = poll(k_portweekly, {k_trade});
    EXPECT_EQ(second.stories_started, 1u);
    EXPECT_EQ(second.open_stories, 1u);  // the current report only
    EXPECT_EQ(story_of(k_portweekly, k_trade), article_id(k_portweekly, k_trade));
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

TEST_F(IngestStoryTest, AReloadForgetsAssignmentsThatWereNeverCommitted)
{
    poll(k_northwire, {k_wire});
    {
        // What ingest does when its commit fails after assigning.
        StoryBook::Session session = m_stories->lock();
        model::Article uncommitted;
        uncommitted.id = "never-stored";
        uncommitted.feed = {k_northwire.url, k_northwire.title};
        uncommitted.item.title = k_other_indictment.title;
        uncommitted.item.text = k_other_indictment.text;
        uncommitted.first_seen = core::now();
        session.assign(uncommitted);
        uncommitted.id = "never-stored-either";
        uncommitted.item.title = k_trade.title;
        uncommitted.item.text = k_trade.text;
        EXPECT_EQ(session.assign(uncommitted).story, article_id(k_northwire, k_wire));
        ASSERT_EQ(session.open_stories(), 2u);
        ASSERT_TRUE(session.reload());
        EXPECT_EQ(session.open_stories(), 1u);
        const auto story = session.story(article_id(k_northwire, k_wire));
        ASSERT_TRUE(story);
        EXPECT_EQ(story->articles, 1u);
    }
    poll(k_portweekly, {k_trade});
    EXPECT_EQ(story_of(k_portweekly, k_trade), article_id(k_northwire, k_wire));
}

TEST_F(IngestStoryTest, TheFirstMatchingArticleOfAStoryIsAMatchAndLaterOnesAreUpdatesOfTheSameStory)
{
    m_matcher = matcher({{"port", "Velasquez"}});
    poll(k_northwire, {k_wire});
    const IngestResult second = poll(k_portweekly, {k_trade});
    poll(k_marketdesk, {k_markets});
    EXPECT_EQ(second.story_updates, (std::map<std::string, std::size_t>{{"port", 1}}));

    const std::vector<json> payloads = alerts();
    ASSERT_EQ(payloads.size(), 3u);
    EXPECT_EQ(types_of(payloads),
              (std::vector<std::string>{"watchlist.match", "watchlist.update", "watchlist.update"}));
    const std::string wire_story = article_id(k_northwire, k_wire);
    for (std::size_t index = 0; index < payloads.size(); ++index) {
        const json& story = payloads[index].at("data").at("story");
        EXPECT_EQ(story.at("id"), wire_story);
        EXPECT_EQ(story.at("first_seen"), payloads[0].at("data").at("story").at("first_seen"));
        EXPECT_EQ(story.at("articles"), index + 1);
    }
    EXPECT_EQ(payloads[2].at("data").at("story").at("outlets"), (json{"Northwire", "Port Weekly", "Market Desk"}));
    // An update is still one alert per (watchlist, webhook, article) for the receiver.
    auto rows = m_store->outbox_all();
    ASSERT_TRUE(rows && rows->size() == 3u);
    EXPECT_EQ((*rows)[1].entry.webhook_id, model::webhook_id("port", "hook", article_id(k_portweekly, k_trade)));
}

TEST_F(IngestStoryTest, TwoReportsOfOneStoryInOnePollAreAMatchThenAnUpdate)
{
    m_matcher = matcher({{"port", "Velasquez"}});
    poll(k_northwire, {k_wire, k_trade});
    EXPECT_EQ(types_of(alerts()), (std::vector<std::string>{"watchlist.match", "watchlist.update"}));
}

TEST_F(IngestStoryTest, TwoDifferentIndictmentsAreTwoStoriesAndTwoMatches)
{
    poll(k_northwire, {k_wire, k_other_indictment});
    const std::vector<json> payloads = alerts();
    EXPECT_EQ(types_of(payloads), (std::vector<std::string>{"watchlist.match", "watchlist.match"}));
    ASSERT_EQ(payloads.size(), 2u);
    EXPECT_NE(payloads[0].at("data").at("story").at("id"), payloads[1].at("data").at("story").at("id"));
}

TEST_F(IngestStoryTest, AKillAndRestartNeverSendsASecondMatchForAStory)
{
    m_matcher = matcher({{"port", "Velasquez"}});
    poll(k_northwire, {k_wire});
    kill_and_restart();
    poll(k_portweekly, {k_trade});
    const std::vector<json> payloads = alerts();
    EXPECT_EQ(types_of(payloads), (std::vector<std::string>{"watchlist.match", "watchlist.update"}));
    ASSERT_EQ(payloads.size(), 2u);
    EXPECT_EQ(payloads[1].at("data").at("story").at("id"), article_id(k_northwire, k_wire));
}

TEST_F(IngestStoryTest, AWatchlistThatFirstMatchesTheSecondReportOfAStoryGetsAMatchForIt)
{
    m_matcher = matcher({{"port", "Velasquez"}, {"shipping", "shipping"}});
    poll(k_northwire, {k_wire});
    const IngestResult second = poll(k_portweekly, {k_trade});
    EXPECT_EQ(second.story_updates, (std::map<std::string, std::size_t>{{"port", 1}}));

    std::map<std::string, json> by_watchlist;
    for (const json& payload : alerts()) {
        if (payload.at("data").at("article").at("id") == article_id(k_portweekly, k_trade)) {
            by_watchlist[payload.at("data").at("watchlist")] = payload;
        }
    }
    ASSERT_EQ(by_watchlist.size(), 2u);
    EXPECT_EQ(by_watchlist["port"].at("type"), "watchlist.update");
    EXPECT_EQ(by_watchlist["shipping"].at("type"), "watchlist.match");
    EXPECT_EQ(by_watchlist["shipping"].at("data").at("story").at("id"), article_id(k_northwire, k_wire));
    EXPECT_EQ(by_watchlist["shipping"].at("data").at("story").at("articles"), 2);
}

TEST_F(IngestStoryTest, WithGroupingOffEveryAlertIsAMatchWithoutAStory)
{
    m_grouping = false;
    m_matcher = matcher({{"port", "Velasquez"}});
    poll(k_northwire, {k_wire});
    const IngestResult second = poll(k_portweekly, {k_trade});
    EXPECT_FALSE(second.open_stories.has_value());
    const std::vector<json> payloads = alerts();
    EXPECT_EQ(types_of(payloads), (std::vector<std::string>{"watchlist.match", "watchlist.match"}));
    for (const json& payload : payloads) {
        EXPECT_FALSE(payload.at("data").contains("story"));
    }
    EXPECT_EQ(story_of(k_portweekly, k_trade), "");
}

TEST_F(IngestStoryTest, AWebhookWithStoryUpdatesNoneGetsTheMatchOfAStoryButNoUpdates)
{
    m_matcher = matcher({{"port", "Velasquez"}}, {"machine", "quiet"});
    m_story_updates = std::make_shared<const StoryUpdatePolicies>(StoryUpdatePolicies{
        {"machine", StoryUpdatePolicy{StoryUpdates::each, 300s}}, {"quiet", StoryUpdatePolicy{StoryUpdates::none, 300s}}});
    poll(k_northwire, {k_wire});
    poll(k_portweekly, {k_trade});
    poll(k_marketdesk, {k_markets});
    auto rows = m_store->outbox_all();
    ASSERT_TRUE(rows);
    std::map<std::string, std::vector<std::string>> types;  // by webhook
    for (const store::QueuedAlert& row : *rows) {
        types[row.entry.webhook].push_back(json::parse(row.entry.body).at("type"));
    }
    EXPECT_EQ(types["machine"],
              (std::vector<std::string>{"watchlist.match", "watchlist.update", "watchlist.update"}));
    EXPECT_EQ(types["quiet"], (std::vector<std::string>{"watchlist.match"}));
}

TEST_F(IngestStoryTest, AWebhookWithStoryUpdatesDigestHoldsUpdatesInTheOutboxUntilTheStorysSlotEnds)
{
    m_matcher = matcher({{"port", "Velasquez"}}, {"machine", "chat"});
    m_story_updates = std::make_shared<const StoryUpdatePolicies>(StoryUpdatePolicies{
        {"chat", StoryUpdatePolicy{StoryUpdates::digest, 3600s}}});  // machine: not listed, each
    poll(k_northwire, {k_wire});
    poll(k_portweekly, {k_trade});
    poll(k_marketdesk, {k_markets});
    auto rows = m_store->outbox_all();
    ASSERT_TRUE(rows);
    const std::string story = article_id(k_northwire, k_wire);
    std::vector<store::QueuedAlert> chat;
    for (const store::QueuedAlert& row : *rows) {
        if (row.entry.webhook == "chat") {
            chat.push_back(row);
        } else {
            EXPECT_TRUE(row.entry.digest.empty());
            EXPECT_EQ(row.entry.next_attempt, row.entry.created);
        }
    }
    ASSERT_EQ(chat.size(), 3u);
    EXPECT_TRUE(chat[0].entry.digest.empty());  // the match goes out at once
    EXPECT_EQ(chat[0].entry.next_attempt, chat[0].entry.created);
    for (std::size_t index = 1; index < chat.size(); ++index) {
        const deliver::DigestSlot slot = deliver::story_digest_slot(story, chat[index].entry.created, 3600s);
        EXPECT_EQ(chat[index].entry.digest, slot.key);
        EXPECT_EQ(chat[index].entry.next_attempt, slot.due);
        EXPECT_GT(chat[index].entry.next_attempt, chat[index].entry.created);
        EXPECT_EQ(json::parse(chat[index].entry.body).at("type"), "watchlist.update");
    }
}

TEST_F(IngestStoryTest, TheStoriesListingShowsWhatIngestCommittedWithTheArticles)
{
    m_matcher = matcher({{"port", "Velasquez"}, {"legal", "indictment"}});
    poll(k_northwire, {k_wire});
    poll(k_portweekly, {k_trade});
    poll(k_marketdesk, {k_markets});
    poll(k_northwire, {k_other_indictment});
    auto stories = store::stories_newest(*m_store, store::StoryFilter{});
    ASSERT_TRUE(stories) << stories.error().detail;
    ASSERT_EQ(stories->size(), 2u);
    const store::StoryRecord& port = (*stories)[1];
    EXPECT_EQ(port.id, article_id(k_northwire, k_wire));
    EXPECT_EQ(port.title, k_wire.title);
    EXPECT_EQ(port.articles, 3u);
    EXPECT_EQ(port.outlets, (std::vector<std::string>{"Northwire", "Port Weekly", "Market Desk"}));
    std::vector<std::string> watchlists = port.watchlists;  // both alerted with the first report
    std::sort(watchlists.begin(), watchlists.end());
    EXPECT_EQ(watchlists, (std::vector<std::string>{"legal", "port"}));
    auto reports = store::story_articles(*m_store, port.id, 10);
    ASSERT_TRUE(reports);
    ASSERT_EQ(reports->size(), 3u);
    EXPECT_EQ((*reports)[2].id, article_id(k_marketdesk, k_markets));
    store::StoryFilter legal;
    legal.watchlist = "legal";
    EXPECT_EQ(store::stories_newest(*m_store, legal)->size(), 2u);
    store::StoryFilter port_only;
    port_only.watchlist = "port";
    EXPECT_EQ(store::stories_newest(*m_store, port_only)->size(), 1u);
}

}  // namespace
}  // namespace feedwatch::pipeline
