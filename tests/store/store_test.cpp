#include "support/temp_dir.hpp"
#include "store/store.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "model/ids.hpp"
#include "store/codec.hpp"

namespace feedwatch::store {
namespace {

using std::chrono::seconds;

using testing_support::TempDir;

core::Instant at(std::int64_t unix_seconds)
{
    return core::Instant{seconds{unix_seconds}};
}

std::unique_ptr<Store> open_or_die(const std::filesystem::path& dir)
{
    auto store = Store::open(dir);
    if (!store) {
        ADD_FAILURE() << store.error().detail;
        return nullptr;
    }
    return std::move(*store);
}

model::Article make_article(const std::string& feed_url, const std::string& item_id)
{
    model::Article article;
    article.id = model::article_id(feed_url, item_id);
    article.feed = {feed_url, "Example Feed"};
    article.item.id = item_id;
    article.item.title = "Huawei wins contract";
    article.item.link = "https://example.com/" + item_id;
    article.item.published = at(1'700'000'000);
    article.item.author = "Jane Doe";
    article.item.summary = "<p>Summary</p>";
    article.item.content = "<p>Content about Huawei</p>";
    article.item.text = "Content about Huawei";
    article.item.categories = {"tech", "asia"};
    article.item.enclosures = {model::Enclosure{"https://example.com/a.mp3", "audio/mpeg", 1234}};
    article.first_seen = at(1'700'000'100);
    return article;
}

model::OutboxEntry make_entry(const std::string& watchlist, const std::string& article_id, core::Instant created)
{
    model::OutboxEntry entry;
    entry.webhook = "ops";
    entry.watchlist = watchlist;
    entry.article_id = article_id;
    entry.webhook_id = model::webhook_id(watchlist, entry.webhook, article_id);
    entry.body = R"({"type":"watchlist.match"})";
    entry.created = created;
    entry.next_attempt = created;
    return entry;
}

PollCommit make_commit(const std::string& feed_url, const std::vector<std::string>& item_ids, core::Instant created)
{
    PollCommit commit;
    commit.feed_url = feed_url;
    commit.state.etag = "\"abc\"";
    commit.state.last_modified = "Tue, 24 Nov 2026 10:00:00 GMT";
    commit.state.title = "Example Feed";
    commit.state.last_success = created;
    for (const std::string& item_id : item_ids) {
        commit.articles.push_back(make_article(feed_url, item_id));
        commit.outbox.push_back(make_entry("china-cyber", commit.articles.back().id, created));
    }
    return commit;
}

TEST(Store, CommitThenReadsBackEveryPart)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    const std::string feed = "https://example.com/feed.xml";
    const PollCommit commit = make_commit(feed, {"item-1"}, at(1'800'000'000));

    auto before = store->seen(feed, "item-1");
    ASSERT_TRUE(before);
    EXPECT_FALSE(*before);
    auto no_state = store->feed_state(feed);
    ASSERT_TRUE(no_state);
    EXPECT_FALSE(*no_state);

    ASSERT_TRUE(store->commit(commit));

    auto after = store->seen(feed, "item-1");
    ASSERT_TRUE(after);
    EXPECT_TRUE(*after);
    auto other_feed = store->seen("https://other.example/feed", "item-1");
    ASSERT_TRUE(other_feed);
    EXPECT_FALSE(*other_feed);

    auto state = store->feed_state(feed);
    ASSERT_TRUE(state && *state);
    EXPECT_EQ((*state)->etag, "\"abc\"");
    EXPECT_EQ((*state)->last_modified, "Tue, 24 Nov 2026 10:00:00 GMT");
    EXPECT_EQ((*state)->title, "Example Feed");
    EXPECT_EQ((*state)->last_success, at(1'800'000'000));
    EXPECT_EQ((*state)->consecutive_errors, 0);

    const model::Article& expected = commit.articles.front();
    auto article = store->article(expected.id);
    ASSERT_TRUE(article && *article);
    const model::Article& read = **article;
    EXPECT_EQ(read.id, expected.id);
    EXPECT_EQ(read.feed.url, feed);
    EXPECT_EQ(read.feed.title, "Example Feed");
    EXPECT_EQ(read.item.id, "item-1");
    EXPECT_EQ(read.item.title, expected.item.title);
    EXPECT_EQ(read.item.link, expected.item.link);
    EXPECT_EQ(read.item.published, expected.item.published);
    EXPECT_FALSE(read.item.updated);
    EXPECT_EQ(read.item.author, "Jane Doe");
    EXPECT_EQ(read.item.summary, expected.item.summary);
    EXPECT_EQ(read.item.content, expected.item.content);
    EXPECT_EQ(read.item.text, expected.item.text);
    EXPECT_EQ(read.item.categories, expected.item.categories);
    ASSERT_EQ(read.item.enclosures.size(), 1u);
    EXPECT_EQ(read.item.enclosures[0].url, "https://example.com/a.mp3");
    EXPECT_EQ(read.item.enclosures[0].type, "audio/mpeg");
    EXPECT_EQ(read.item.enclosures[0].length, 1234u);
    EXPECT_EQ(read.first_seen, expected.first_seen);

    auto missing = store->article("nope");
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);

    auto rows = store->outbox_all();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    const model::OutboxEntry& entry = rows->front().entry;
    EXPECT_EQ(entry.webhook, "ops");
    EXPECT_EQ(entry.webhook_id, commit.outbox.front().webhook_id);
    EXPECT_EQ(entry.watchlist, "china-cyber");
    EXPECT_EQ(entry.article_id, expected.id);
    EXPECT_EQ(entry.body, commit.outbox.front().body);
    EXPECT_EQ(entry.created, at(1'800'000'000));
    EXPECT_EQ(entry.next_attempt, at(1'800'000'000));
    EXPECT_EQ(entry.attempts, 0);
    EXPECT_EQ(store->outbox_pending(), 1u);
    EXPECT_TRUE(store->healthy());
}

TEST(Store, AnArticleIsStoredAsThisExactJson)
{
    model::Article article = make_article("https://example.com/feed.xml", "a");
    article.story = "s-1";
    const std::string id = article.id;
    EXPECT_EQ(codec::encode_article(article),
              R"({"feed":{"title":"Example Feed","url":"https://example.com/feed.xml"},"first_seen":1700000100,"id":")" +
                  id +
                  R"(","item":{"author":"Jane Doe","categories":["tech","asia"],"content":"<p>Content about Huawei</p>",)"
                  R"("enclosures":[{"length":1234,"type":"audio/mpeg","url":"https://example.com/a.mp3"}],"id":"a",)"
                  R"("link":"https://example.com/a","published":1700000000,"summary":"<p>Summary</p>",)"
                  R"("text":"Content about Huawei","title":"Huawei wins contract","updated":null},"story":"s-1"})");
}

TEST(Store, InvalidUtf8IsRepairedNotThrown)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    PollCommit commit = make_commit("https://example.com/feed", {"x"}, at(1'800'000'000));
    commit.articles[0].item.title = "bad \xff\xfe byte";
    commit.state.title = "\xc3";
    ASSERT_TRUE(store->commit(commit));
    auto article = store->article(commit.articles[0].id);
    ASSERT_TRUE(article && *article);
    EXPECT_EQ((*article)->item.title, "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
}

TEST(Store, ReopenAfterCloseKeepsEverything)
{
    TempDir dir;
    const std::string feed = "https://example.com/feed.xml";
    const PollCommit commit = make_commit(feed, {"a", "b"}, at(1'800'000'000));
    {
        auto store = open_or_die(dir.path());
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->commit(commit));
    }
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    EXPECT_TRUE(store->seen(feed, "a").value());
    EXPECT_TRUE(store->seen(feed, "b").value());
    EXPECT_TRUE(store->article(commit.articles[1].id).value().has_value());
    EXPECT_EQ(store->feed_state(feed).value().value().etag, "\"abc\"");
    EXPECT_EQ(store->outbox_pending(), 2u);
    EXPECT_EQ(store->outbox_all().value().size(), 2u);

    // New rows after a reopen still sort after the old ones created in the same second.
    ASSERT_TRUE(store->commit(make_commit(feed, {"c"}, at(1'800'000'000))));
    auto rows = store->outbox_all().value();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].entry.article_id, commit.articles[0].id);
    EXPECT_EQ(rows[1].entry.article_id, commit.articles[1].id);
    EXPECT_EQ(rows[2].entry.article_id, model::article_id(feed, "c"));
}

TEST(Store, ArticlesLargerThanTheMemtableAreFlushedToBlobFilesAndReadBackWhole)
{
    TempDir dir;
    const std::string feed = "https://example.com/feed.xml";
    std::string content;
    for (int i = 0; content.size() < 32 * 1024; ++i) {
        content += "<p>Paragraph " + std::to_string(i) + " about the contract.</p>";
    }
    std::vector<std::string> ids;
    {
        auto store = open_or_die(dir.path());
        ASSERT_TRUE(store);
        // 400 articles of 32 KiB are more than one 8 MiB memtable: at least one flush.
        for (int poll = 0; poll < 40; ++poll) {
            PollCommit commit;
            commit.feed_url = feed;
            for (int item = 0; item < 10; ++item) {
                ids.push_back("item-" + std::to_string(poll) + "-" + std::to_string(item));
                commit.articles.push_back(make_article(feed, ids.back()));
                commit.articles.back().item.content = content + ids.back();
            }
            ASSERT_TRUE(store->commit(commit));
        }
    }
    std::size_t blob_files = 0;
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
        blob_files += file.path().extension() == ".blob" ? 1 : 0;
    }
    EXPECT_GT(blob_files, 0u);
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    for (const std::string& id : ids) {
        const auto article = store->article(model::article_id(feed, id));
        ASSERT_TRUE(article && article->has_value()) << id;
        EXPECT_EQ((*article)->item.content, content + id);
    }
}

TEST(Store, OutboxIsFifoByCreationAndFiltersDue)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    // Committed out of creation order; within one commit, commit order is kept.
    ASSERT_TRUE(store->commit(make_commit("https://late.example/feed", {"late"}, at(2'000))));
    ASSERT_TRUE(store->commit(make_commit("https://early.example/feed", {"e1", "e2", "e3"}, at(1'000))));
    ASSERT_TRUE(store->commit(make_commit("https://middle.example/feed", {"m"}, at(1'500))));
    EXPECT_EQ(store->outbox_pending(), 5u);

    auto all = store->outbox_all().value();
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all[0].entry.article_id, model::article_id("https://early.example/feed", "e1"));
    EXPECT_EQ(all[1].entry.article_id, model::article_id("https://early.example/feed", "e2"));
    EXPECT_EQ(all[2].entry.article_id, model::article_id("https://early.example/feed", "e3"));
    EXPECT_EQ(all[3].entry.article_id, model::article_id("https://middle.example/feed", "m"));
    EXPECT_EQ(all[4].entry.article_id, model::article_id("https://late.example/feed", "late"));

    auto due = store->outbox_due(at(1'500), 64).value();
    ASSERT_EQ(due.size(), 4u);
    EXPECT_EQ(due[3].entry.article_id, model::article_id("https://middle.example/feed", "m"));

    auto limited = store->outbox_due(at(5'000), 2).value();
    ASSERT_EQ(limited.size(), 2u);
    EXPECT_EQ(limited[0].key, all[0].key);
    EXPECT_EQ(limited[1].key, all[1].key);

    EXPECT_TRUE(store->outbox_due(at(999), 64).value().empty());
}

TEST(Store, RecommittingSameAlertKeepsOneRow)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    const PollCommit first = make_commit("https://example.com/feed", {"x"}, at(1'000));
    ASSERT_TRUE(store->commit(first));
    ASSERT_TRUE(store->commit(first));
    // Same webhook-id created later (e.g. a retried poll): still one row.
    ASSERT_TRUE(store->commit(make_commit("https://example.com/feed", {"x"}, at(1'200))));
    PollCommit twice_in_one = first;
    twice_in_one.outbox.push_back(first.outbox.front());
    ASSERT_TRUE(store->commit(twice_in_one));
    EXPECT_EQ(store->outbox_all().value().size(), 1u);
    EXPECT_EQ(store->outbox_pending(), 1u);
}

TEST(Store, DeliveredRemovesRow)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit(make_commit("https://example.com/feed", {"x", "y"}, at(1'000))));
    auto rows = store->outbox_all().value();
    ASSERT_EQ(rows.size(), 2u);
    ASSERT_TRUE(store->outbox_delivered(rows[0].key));
    EXPECT_EQ(store->outbox_pending(), 1u);
    auto left = store->outbox_all().value();
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].key, rows[1].key);
    // Idempotent.
    ASSERT_TRUE(store->outbox_delivered(rows[0].key));
    EXPECT_EQ(store->outbox_pending(), 1u);
    // The article and its seen key stay.
    EXPECT_TRUE(store->seen("https://example.com/feed", "x").value());
}

TEST(Store, RescheduleUpdatesAttemptsAndNextAttempt)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit(make_commit("https://example.com/feed", {"x"}, at(1'000))));
    QueuedAlert row = store->outbox_due(at(1'000), 64).value().at(0);
    row.entry.attempts = 1;
    row.entry.next_attempt = at(1'005);
    ASSERT_TRUE(store->outbox_reschedule(row.key, row.entry));

    EXPECT_TRUE(store->outbox_due(at(1'004), 64).value().empty());
    auto due = store->outbox_due(at(1'005), 64).value();
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].key, row.key);
    EXPECT_EQ(due[0].entry.attempts, 1);
    EXPECT_EQ(due[0].entry.next_attempt, at(1'005));
    EXPECT_EQ(due[0].entry.created, at(1'000));
    EXPECT_EQ(store->outbox_pending(), 1u);

    // A delivered row is not brought back by a late reschedule.
    ASSERT_TRUE(store->outbox_delivered(row.key));
    ASSERT_TRUE(store->outbox_reschedule(row.key, row.entry));
    EXPECT_TRUE(store->outbox_all().value().empty());
    EXPECT_EQ(store->outbox_pending(), 0u);
}

TEST(Store, SaveFeedStateAlone)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    FeedState state;
    state.consecutive_errors = 3;
    ASSERT_TRUE(store->save_feed_state("https://example.com/feed", state));
    auto read = store->feed_state("https://example.com/feed").value();
    ASSERT_TRUE(read);
    EXPECT_EQ(read->consecutive_errors, 3);
    EXPECT_FALSE(read->last_success);
}

TEST(Store, SecondOpenOfSameDirFailsNamingTheDir)
{
    TempDir dir;
    auto first = open_or_die(dir.path());
    ASSERT_TRUE(first);
    auto second = Store::open(dir.path());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, core::ErrorCode::store);
    EXPECT_NE(second.error().detail.find(dir.path().string()), std::string::npos) << second.error().detail;
    EXPECT_NE(second.error().detail.find("LOCK"), std::string::npos) << second.error().detail;
}

TEST(Store, DeadLettersSurviveReopenKeepTheIdReservedAndRequeue)
{
    TempDir dir;
    const std::string feed = "https://example.com/feed.xml";
    const PollCommit commit = make_commit(feed, {"a", "b"}, at(1'000));
    std::string dead_id;
    {
        auto store = open_or_die(dir.path());
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->commit(commit));
        auto rows = store->outbox_all().value();
        ASSERT_EQ(rows.size(), 2u);
        rows[0].entry.attempts = 9;
        dead_id = rows[0].entry.webhook_id;
        ASSERT_TRUE(store->outbox_dead(rows[0].key, rows[0].entry));
        EXPECT_EQ(store->outbox_pending(), 1u);
    }
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    EXPECT_EQ(store->outbox_pending(), 1u);
    auto dead = store->dead_all().value();
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].entry.webhook_id, dead_id);
    EXPECT_EQ(dead[0].entry.attempts, 9);

    // A re-commit of the same alert (re-fetch, duplicate GUID) does not queue it again.
    PollCommit again;
    again.feed_url = feed;
    again.outbox.push_back(commit.outbox[0]);
    ASSERT_TRUE(store->commit(again));
    EXPECT_EQ(store->outbox_pending(), 1u);

    EXPECT_FALSE(store->requeue("msg_unknown", at(5'000)).value());
    ASSERT_TRUE(store->requeue(dead_id, at(5'000)).value());
    EXPECT_TRUE(store->dead_all().value().empty());
    EXPECT_EQ(store->outbox_pending(), 2u);
    auto rows = store->outbox_all().value();
    ASSERT_EQ(rows.size(), 2u);
    // Same creation second as the other row, queued later: it sorts after it.
    EXPECT_EQ(rows[1].entry.webhook_id, dead_id);
    EXPECT_EQ(rows[1].entry.attempts, 0);
    EXPECT_EQ(rows[1].entry.next_attempt, at(5'000));
    ASSERT_TRUE(store->outbox_delivered(rows[1].key));
    EXPECT_EQ(store->outbox_pending(), 1u);
}

TEST(Store, RequeueMakesAWaitingRetryDueAndRequeueDeadMovesAll)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit(make_commit("https://example.com/feed", {"a", "b", "c"}, at(1'000))));
    auto rows = store->outbox_all().value();
    rows[0].entry.next_attempt = at(9'000);
    ASSERT_TRUE(store->outbox_reschedule(rows[0].key, rows[0].entry));
    EXPECT_EQ(store->outbox_due(at(2'000), 10).value().size(), 2u);
    ASSERT_TRUE(store->requeue(rows[0].entry.webhook_id, at(2'000)).value());
    EXPECT_EQ(store->outbox_due(at(2'000), 10).value().size(), 3u);

    ASSERT_TRUE(store->outbox_dead(rows[1].key, rows[1].entry));
    ASSERT_TRUE(store->outbox_dead(rows[2].key, rows[2].entry));
    EXPECT_EQ(store->dead_all().value().size(), 2u);
    EXPECT_EQ(store->requeue_dead(at(3'000)).value(), 2u);
    EXPECT_TRUE(store->dead_all().value().empty());
    EXPECT_EQ(store->outbox_pending(), 3u);
}

TEST(Store, InMemoryIndexPicksQueuesAndNextAttemptWithoutScanning)
{
    TempDir dir;
    auto store = open_or_die(dir.path());
    ASSERT_TRUE(store);
    PollCommit commit = make_commit("https://example.com/feed", {"a", "b", "c"}, at(1'000));
    commit.outbox[1].webhook = "chat";
    commit.outbox[2].created = at(900);
    commit.outbox[2].next_attempt = at(4'000);
    ASSERT_TRUE(store->commit(commit));

    const auto queues = store->outbox_queues();
    ASSERT_EQ(queues.size(), 2u);
    EXPECT_EQ(queues.at("ops").pending, 2u);
    EXPECT_EQ(queues.at("ops").oldest_created, at(900));
    EXPECT_EQ(queues.at("chat").pending, 1u);

    auto picked = store->outbox_pick([](const std::string&, const OutboxMeta& meta) {
        return meta.webhook == "ops" ? Store::Pick::take : Store::Pick::skip;
    });
    ASSERT_TRUE(picked);
    ASSERT_EQ(picked->size(), 2u);
    EXPECT_EQ(picked->at(0).entry.created, at(900));  // key order is creation order
    EXPECT_EQ(picked->at(1).entry.body, commit.outbox[0].body);

    auto first_only = store->outbox_pick([](const std::string&, const OutboxMeta&) { return Store::Pick::stop; });
    EXPECT_TRUE(first_only.value().empty());

    EXPECT_EQ(store->outbox_next_attempt([](const std::string&, const OutboxMeta& meta) {
        return meta.next_attempt > at(1'000);
    }),
              at(4'000));
    EXPECT_FALSE(store->outbox_next_attempt([](const std::string&, const OutboxMeta&) { return false; }));
}

}  // namespace
}  // namespace feedwatch::store
