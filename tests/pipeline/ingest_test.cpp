// Ingest (parse -> dedupe -> match -> plan -> commit) against a real store in a temp dir.
#include "pipeline/ingest.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace feedwatch::pipeline {
namespace {

using namespace std::chrono_literals;

const std::string k_feed = R"(<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title><link>http://example.com/</link>
<item><guid>a</guid><title>Grand jury returns indictment</title></item>
<item><guid>b</guid><title>Weather</title></item>
</channel></rss>)";

std::shared_ptr<const match::Matcher> matcher()
{
    auto query = match::Query::parse("indictment");
    EXPECT_TRUE(query);
    match::WatchlistSpec spec;
    spec.name = "legal";
    spec.query = std::move(*query);
    spec.notify = {"hook"};
    std::vector<match::WatchlistSpec> specs;
    specs.push_back(std::move(spec));
    return std::make_shared<const match::Matcher>(std::move(specs));
}

class IngestTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto opened = store::Store::open(m_dir.path() / "state");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
    }

    IngestJob job(std::string body, store::FeedState state = {}) const
    {
        IngestJob job;
        job.feed.url = "http://example.com/feed";
        job.bounds.interval = 600s;
        job.state = std::move(state);
        job.response.outcome = fetch::Outcome::ok;
        job.response.status = 200;
        job.response.body = std::move(body);
        job.response.etag = "\"v1\"";
        job.response.effective_url = job.feed.url;
        job.matcher = m_matcher;
        return job;
    }

    testing_support::TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
    std::shared_ptr<const match::Matcher> m_matcher = matcher();
};

TEST_F(IngestTest, NewItemsAreCommittedWithOneAlertPerMatchingItemAndTheValidators)
{
    const IngestResult result = ingest(*m_store, job(k_feed));
    ASSERT_EQ(result.outcome, IngestOutcome::committed) << result.detail;
    EXPECT_EQ(result.new_articles, 2u);
    EXPECT_EQ(result.duplicates, 0u);
    EXPECT_EQ(result.matches.at("legal"), 1u);
    EXPECT_EQ(result.alerts, std::vector<std::string>{"legal"});
    EXPECT_EQ(m_store->outbox_pending(), 1u);
    auto state = m_store->feed_state("http://example.com/feed");
    ASSERT_TRUE(state && *state);
    EXPECT_EQ((*state)->etag, "\"v1\"");
    EXPECT_EQ((*state)->title, "Wire");
    EXPECT_TRUE((*state)->next_poll.has_value());
    EXPECT_TRUE(m_store->sync());
}

TEST_F(IngestTest, TheSameItemsAgainAreDuplicatesAndQueueNothing)
{
    ASSERT_EQ(ingest(*m_store, job(k_feed)).outcome, IngestOutcome::committed);
    const IngestResult again = ingest(*m_store, job(k_feed));
    ASSERT_EQ(again.outcome, IngestOutcome::committed) << again.detail;
    EXPECT_EQ(again.new_articles, 0u);
    EXPECT_EQ(again.duplicates, 2u);
    EXPECT_TRUE(again.alerts.empty());
    EXPECT_EQ(m_store->outbox_pending(), 1u);
}

TEST_F(IngestTest, ABodyThatIsNotAFeedCountsAnErrorAndKeepsTheOldValidators)
{
    store::FeedState before;
    before.etag = "\"old\"";
    before.consecutive_errors = 1;
    const IngestResult result = ingest(*m_store, job("<html><body>maintenance</body></html>", before));
    EXPECT_EQ(result.outcome, IngestOutcome::parse_error);
    EXPECT_FALSE(result.detail.empty());
    EXPECT_EQ(result.state.consecutive_errors, 2);
    auto state = m_store->feed_state("http://example.com/feed");
    ASSERT_TRUE(state && *state);
    EXPECT_EQ((*state)->etag, "\"old\"");
    EXPECT_EQ((*state)->consecutive_errors, 2);
    EXPECT_EQ(m_store->outbox_pending(), 0u);
}

TEST_F(IngestTest, CommittedAlertsSurviveAReopenAfterSync)
{
    ASSERT_EQ(ingest(*m_store, job(k_feed)).outcome, IngestOutcome::committed);
    ASSERT_TRUE(m_store->sync());
    m_store.reset();
    auto reopened = store::Store::open(m_dir.path() / "state");
    ASSERT_TRUE(reopened) << reopened.error().detail;
    EXPECT_EQ((*reopened)->outbox_pending(), 1u);
    auto seen = (*reopened)->seen("http://example.com/feed", "a");
    ASSERT_TRUE(seen);
    EXPECT_TRUE(*seen);
}

TEST_F(IngestTest, AHitOfAWatchlistThatNotifiesNobodyIsCountedButQueuesNoAlert)
{
    std::vector<match::WatchlistSpec> specs;
    for (const auto* name : {"legal", "quiet"}) {
        auto query = match::Query::parse("indictment");
        ASSERT_TRUE(query);
        match::WatchlistSpec spec;
        spec.name = name;
        spec.query = std::move(*query);
        spec.notify = name == std::string_view("legal") ? std::vector<std::string>{"hook"} : std::vector<std::string>{};
        specs.push_back(std::move(spec));
    }
    IngestJob quiet_job = job(k_feed);
    quiet_job.matcher = std::make_shared<const match::Matcher>(std::move(specs));
    const IngestResult result = ingest(*m_store, std::move(quiet_job));
    ASSERT_EQ(result.outcome, IngestOutcome::committed) << result.detail;
    EXPECT_EQ(result.matches.at("legal"), 1u);
    EXPECT_EQ(result.matches.at("quiet"), 1u);
    EXPECT_EQ(result.alerts, std::vector<std::string>{"legal"});
    EXPECT_EQ(m_store->outbox_pending(), 1u);
}

}  // namespace
}  // namespace feedwatch::pipeline
