// The API's read-only listings against a real store in a temp directory.
#include "store/queries.hpp"
#include "support/temp_dir.hpp"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "model/ids.hpp"
#include "store/history.hpp"

namespace feedwatch::store {
namespace {

using testing_support::TempDir;

class QueriesTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto opened = Store::open(m_dir.path() / "db");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
    }

    // Commits one article with one alert of watchlist to the webhook "ops".
    void add_alert(const std::string& item_id, const std::string& watchlist)
    {
        const std::string feed_url = "https://example.com/feed.xml";
        model::Article article;
        article.id = model::article_id(feed_url, item_id);
        article.feed = {feed_url, "Example Feed"};
        article.item.id = item_id;
        article.item.title = "Title " + item_id;
        article.first_seen = m_t0;
        PollCommit commit;
        commit.feed_url = feed_url;
        commit.articles.push_back(article);
        const std::string body = R"({"data":{"article":{"title":"Title )" + item_id + R"("}}})";
        commit.outbox.push_back(model::OutboxEntry{"ops", model::webhook_id(watchlist, "ops", article.id), watchlist,
                                                   article.id, body, m_t0, m_t0, 0});
        ASSERT_TRUE(m_store->commit(commit));
    }

    std::vector<std::uint64_t> walk(std::uint64_t before, std::size_t stop_after)
    {
        std::vector<std::uint64_t> seen;
        auto walked = walk_alerts_newest(*m_store, before, [&](std::uint64_t sequence, std::string_view row) {
            EXPECT_TRUE(decode_alert(sequence, row)) << row;
            seen.push_back(sequence);
            return seen.size() >= stop_after ? Walk::stop : Walk::more;
        });
        EXPECT_TRUE(walked);
        return seen;
    }

    TempDir m_dir;
    std::unique_ptr<Store> m_store;
    const core::Instant m_t0 = core::Instant{std::chrono::seconds{1'700'000'000}};
};

TEST_F(QueriesTest, WalksAlertHistoryNewestFirstStrictlyBelowTheCursorUntilToldToStop)
{
    for (int i = 1; i <= 5; ++i) {
        add_alert(std::to_string(i), i % 2 ? "odd" : "even");
    }
    EXPECT_EQ(walk(0, 100), (std::vector<std::uint64_t>{5, 4, 3, 2, 1}));
    EXPECT_EQ(walk(4, 100), (std::vector<std::uint64_t>{3, 2, 1}));
    EXPECT_EQ(walk(0, 2), (std::vector<std::uint64_t>{5, 4}));
    EXPECT_TRUE(walk(1, 100).empty());
}

TEST_F(QueriesTest, WatchlistIndexListsOnlyThatWatchlistsSequencesNewestFirst)
{
    for (int i = 1; i <= 7; ++i) {
        add_alert(std::to_string(i), i % 3 == 0 ? "rare/one" : "common");
    }
    EXPECT_EQ(*alert_sequences_of(*m_store, "rare/one", 0, 100), (std::vector<std::uint64_t>{6, 3}));
    EXPECT_EQ(*alert_sequences_of(*m_store, "rare/one", 6, 100), (std::vector<std::uint64_t>{3}));
    EXPECT_EQ(*alert_sequences_of(*m_store, "common", 0, 3), (std::vector<std::uint64_t>{7, 5, 4}));
    EXPECT_TRUE(alert_sequences_of(*m_store, "rare", 0, 100)->empty());  // a prefix of a name is another name
    auto row = alert_row(*m_store, 6);
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(decode_alert(6, **row)->watchlist, "rare/one");
    EXPECT_FALSE(*alert_row(*m_store, 8));
}

TEST_F(QueriesTest, OpeningAStoreFromBeforeTheWatchlistIndexIndexesItsAlerts)
{
    for (int i = 1; i <= 4; ++i) {
        add_alert(std::to_string(i), i % 2 ? "odd" : "even");
    }
    // Make it look like a store written before the index: no L/ entries, no mark.
    {
        rocksdb::DB& db = m_store->database();
        rocksdb::WriteBatch batch;
        std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions{}));
        for (it->Seek("L/"); it->Valid() && it->key().starts_with("L/"); it->Next()) {
            batch.Delete(it->key());
        }
        batch.Delete(history::k_watchlist_index_done);
        ASSERT_TRUE(db.Write(rocksdb::WriteOptions{}, &batch).ok());
    }
    EXPECT_TRUE(alert_sequences_of(*m_store, "odd", 0, 100)->empty());
    m_store.reset();
    auto reopened = Store::open(m_dir.path() / "db");
    ASSERT_TRUE(reopened) << reopened.error().detail;
    m_store = std::move(*reopened);
    EXPECT_EQ(*alert_sequences_of(*m_store, "odd", 0, 100), (std::vector<std::uint64_t>{3, 1}));
    add_alert("5", "odd");
    EXPECT_EQ(*alert_sequences_of(*m_store, "odd", 0, 100), (std::vector<std::uint64_t>{5, 3, 1}));
    EXPECT_EQ(*alert_sequences_of(*m_store, "even", 0, 100), (std::vector<std::uint64_t>{4, 2}));
}

TEST_F(QueriesTest, DecodedRowCarriesWatchlistTitleAndWebhooks)
{
    add_alert("1", "courts");
    std::optional<AlertRecord> record;
    ASSERT_TRUE(walk_alerts_newest(*m_store, 0, [&](std::uint64_t sequence, std::string_view row) {
        auto decoded = decode_alert(sequence, row);
        EXPECT_TRUE(decoded);
        record = *decoded;
        return Walk::stop;
    }));
    ASSERT_TRUE(record);
    EXPECT_EQ(record->sequence, 1u);
    EXPECT_EQ(record->watchlist, "courts");
    EXPECT_EQ(record->title, "Title 1");
    ASSERT_EQ(record->webhooks.size(), 1u);
    EXPECT_EQ(record->webhooks[0].first, "ops");
    EXPECT_FALSE(decode_alert(2, "not json"));
}

TEST_F(QueriesTest, DeliveriesOfWebhooksFollowTheOutboxFromPendingToDelivered)
{
    add_alert("1", "courts");
    auto pending = m_store->outbox_all();
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 1u);
    const std::vector<std::pair<std::string, std::string>> webhooks{{"ops", pending->front().entry.webhook_id}};
    auto before = deliveries(*m_store, webhooks);
    ASSERT_TRUE(before);
    ASSERT_EQ(before->size(), 1u);
    EXPECT_EQ(before->front().state, DeliveryState::pending);
    EXPECT_EQ(before->front().next_attempt, m_t0);
    ASSERT_TRUE(m_store->outbox_delivered(pending->front().key));
    auto after = deliveries(*m_store, webhooks);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->front().state, DeliveryState::delivered);
    EXPECT_FALSE(after->front().next_attempt);
}

TEST_F(QueriesTest, DeliveriesOfManyAlertsInOneReadComeInTheirOrder)
{
    add_alert("1", "courts");
    add_alert("2", "courts");
    add_alert("3", "courts");
    auto pending = m_store->outbox_all();
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 3u);
    std::vector<Webhooks> lists;
    for (const auto& row : *pending) {
        lists.push_back({{"ops", row.entry.webhook_id}});
    }
    lists.push_back({});  // an alert without webhooks
    ASSERT_TRUE(m_store->outbox_delivered((*pending)[0].key));
    auto dead = (*pending)[2].entry;
    dead.attempts = 4;
    ASSERT_TRUE(m_store->outbox_dead((*pending)[2].key, dead));
    const std::vector<const Webhooks*> alerts{&lists[0], &lists[1], &lists[2], &lists[3]};
    auto states = deliveries(*m_store, alerts);
    ASSERT_TRUE(states);
    ASSERT_EQ(states->size(), 4u);
    EXPECT_EQ((*states)[0].at(0).state, DeliveryState::delivered);
    EXPECT_EQ((*states)[1].at(0).state, DeliveryState::pending);
    EXPECT_EQ((*states)[1].at(0).webhook_id, (*pending)[1].entry.webhook_id);
    EXPECT_EQ((*states)[2].at(0).state, DeliveryState::dead);
    EXPECT_EQ((*states)[2].at(0).attempts, 4);
    EXPECT_TRUE((*states)[3].empty());
}

// Commits one poll of articles first seen at the given instants; returns their ids.
std::vector<std::string> commit_articles(Store& store, const std::string& poll, const std::vector<core::Instant>& seen,
                                         std::optional<std::string> story_snapshot = std::nullopt)
{
    PollCommit commit;
    commit.feed_url = "https://example.com/" + poll;
    std::vector<std::string> ids;
    for (std::size_t index = 0; index < seen.size(); ++index) {
        model::Article article;
        article.item.id = poll + "-" + std::to_string(index);
        article.id = model::article_id(commit.feed_url, article.item.id);
        article.feed = {commit.feed_url, "Example"};
        article.first_seen = seen[index];
        article.story = "story-of-" + article.item.id;
        ids.push_back(article.id);
        commit.articles.push_back(std::move(article));
    }
    commit.story_snapshot = std::move(story_snapshot);
    EXPECT_TRUE(store.commit(commit));
    return ids;
}

std::vector<std::string> ids_of(const core::Result<std::vector<model::Article>>& articles)
{
    std::vector<std::string> ids;
    EXPECT_TRUE(articles);
    for (const model::Article& article : articles ? *articles : std::vector<model::Article>{}) {
        ids.push_back(article.id);
    }
    return ids;
}

TEST_F(QueriesTest, ArticlesAfterASnapshotComeInCommitOrderAndStopAtTheFirstOneOlderThanSince)
{
    using namespace std::chrono_literals;
    const auto old_ids = commit_articles(*m_store, "a", {m_t0, m_t0 + 1h});
    const auto snapshot_ids = commit_articles(*m_store, "b", {m_t0 + 2h}, std::string("grouper state"));
    const auto new_ids = commit_articles(*m_store, "c", {m_t0 + 3h, m_t0 + 4h});

    auto snapshot = m_store->story_snapshot();
    ASSERT_TRUE(snapshot && *snapshot);
    EXPECT_EQ((*snapshot)->article_sequence, 3u);  // the last article of its own batch
    EXPECT_EQ((*snapshot)->grouper, "grouper state");

    EXPECT_EQ(ids_of(articles_after(*m_store, (*snapshot)->article_sequence, m_t0)), new_ids);
    EXPECT_EQ(ids_of(articles_after(*m_store, 0, m_t0 + 1h)),
              (std::vector<std::string>{old_ids[1], snapshot_ids[0], new_ids[0], new_ids[1]}));
    EXPECT_EQ(ids_of(articles_after(*m_store, 0, m_t0 + 4h)), (std::vector<std::string>{new_ids[1]}));
    auto stored = m_store->article(new_ids[0]);
    ASSERT_TRUE(stored && *stored);
    EXPECT_EQ((*stored)->story, "story-of-c-0");
}

TEST_F(QueriesTest, AStorySnapshotSavedAloneCoversEveryArticleCommittedSoFar)
{
    auto none = m_store->story_snapshot();
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    commit_articles(*m_store, "a", {m_t0, m_t0});
    ASSERT_TRUE(m_store->save_story_snapshot("{}"));
    auto snapshot = m_store->story_snapshot();
    ASSERT_TRUE(snapshot && *snapshot);
    EXPECT_EQ((*snapshot)->article_sequence, 2u);
    EXPECT_TRUE(ids_of(articles_after(*m_store, (*snapshot)->article_sequence, m_t0)).empty());
}

TEST_F(QueriesTest, AStoryAlertMarkerIsPerWatchlistAndStory)
{
    PollCommit commit;
    commit.feed_url = "https://example.com/feed.xml";
    commit.story_alerts.push_back(StoryAlerted{"legal/us", "story-1"});
    ASSERT_TRUE(m_store->commit(commit));
    EXPECT_EQ(m_store->story_alerted("legal/us", "story-1"), true);
    EXPECT_EQ(m_store->story_alerted("legal/us", "story-2"), false);
    EXPECT_EQ(m_store->story_alerted("legal", "story-1"), false);
}

}  // namespace
}  // namespace feedwatch::store
