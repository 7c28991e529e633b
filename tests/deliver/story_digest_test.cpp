// Story digests (story_updates = "digest"): update rows held in the real outbox until their
// slot ends, then sent to a real receiver on 127.0.0.1:0 as one message per story.
#include "support/temp_dir.hpp"
#include "deliver/story_digest.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deliver/deliverer.hpp"
#include "deliver/payload.hpp"
#include "deliver/signature.hpp"
#include "model/ids.hpp"
#include "serve/server.hpp"

namespace feedwatch::deliver {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing_support::TempDir;

constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::steady_clock::duration timeout = 10s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        if (io.stopped()) {
            io.restart();
        }
        io.run_one_until(std::min(deadline, std::chrono::steady_clock::now() + 20ms));
    }
    return done();
}

TEST(StoryDigestSlot, UpdatesWithinOneIntervalShareAKeyAndTheNextIntervalStartsAnother)
{
    const core::Instant base{std::chrono::seconds{1'800'000'000}};  // a multiple of 300
    const DigestSlot first = story_digest_slot("s1", base + 10s, 5min);
    const DigestSlot same = story_digest_slot("s1", base + 299s, 5min);
    const DigestSlot next = story_digest_slot("s1", base + 300s, 5min);
    const DigestSlot other = story_digest_slot("s2", base + 10s, 5min);
    EXPECT_EQ(first.key, same.key);
    EXPECT_EQ(first.due, base + 300s);
    EXPECT_NE(next.key, first.key);
    EXPECT_EQ(next.due, base + 600s);
    EXPECT_NE(other.key, first.key);
    EXPECT_EQ(other.due, first.due);
    EXPECT_EQ(story_digest_id("ops", first.key), story_digest_id("ops", same.key));
    EXPECT_NE(story_digest_id("ops", first.key), story_digest_id("chat", first.key));
}

class StoryDigestDeliveryTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        open_store();
        auto server = serve::Server::listen(m_io, "127.0.0.1:0", [this](const serve::Request& request) {
            m_received.push_back(request);
            if (!m_script.empty()) {
                serve::Response next = m_script.front();
                m_script.pop_front();
                return next;
            }
            return serve::Response{204, "text/plain", {}, ""};
        });
        ASSERT_TRUE(server) << server.error().detail;
        m_server = std::move(*server);
    }

    void TearDown() override
    {
        if (m_deliverer) {
            m_deliverer->stop();
        }
        m_client.stop();
        if (m_server) {
            m_server->stop();
        }
        m_io.run_for(200ms);
        m_deliverer.reset();
    }

    void open_store()
    {
        auto opened = store::Store::open(m_dir.path() / "db");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
    }

    // Queues the watchlist.update of item (a report of story) for webhook "ops" in the digest
    // slot that ends at due (or a plain row due now when due is absent).
    model::OutboxEntry queue_update(const std::string& story, const std::string& item_id,
                                    std::optional<core::Instant> due)
    {
        model::Article article;
        article.feed = {"https://example.com/feed", "Example"};
        article.item.id = item_id;
        article.item.title = "Report " + item_id;
        article.item.link = "https://example.com/" + item_id;
        article.id = model::article_id(article.feed.url, item_id);
        article.first_seen = core::now();
        article.story = story;
        const StoryAlert story_alert{AlertType::update, story, core::now() - 1h, 3, {"Example", "Other"}};
        model::OutboxEntry entry;
        entry.webhook = "ops";
        entry.watchlist = "floods";
        entry.article_id = article.id;
        entry.webhook_id = model::webhook_id(entry.watchlist, entry.webhook, article.id);
        entry.body = render_json_payload(entry.watchlist, article, {{"dam", "title", "Dam"}}, core::now(), story_alert);
        entry.created = core::now();
        entry.next_attempt = due.value_or(entry.created);
        if (due) {
            entry.digest = story + "@" + std::to_string(due->time_since_epoch().count());
        }
        store::PollCommit commit;
        commit.feed_url = article.feed.url;
        commit.articles.push_back(article);
        commit.outbox.push_back(entry);
        EXPECT_TRUE(m_store->commit(commit));
        return entry;
    }

    void start(Format format = Format::json)
    {
        WebhookTarget webhook;
        webhook.name = "ops";
        webhook.url = "http://127.0.0.1:" + std::to_string(m_server->port()) + "/hook";
        webhook.secrets = {k_secret};
        webhook.timeout = 2s;
        webhook.format = format;
        webhook.retry_scale = 0.01;
        m_deliverer = std::make_unique<Deliverer>(m_io, *m_store, m_client, std::vector<WebhookTarget>{webhook},
                                                  DeliveryObserver{});
        m_deliverer->start();
    }

    TempDir m_dir;
    asio::io_context m_io;
    std::unique_ptr<store::Store> m_store;
    http::Client m_client{m_io};
    std::unique_ptr<serve::Server> m_server;
    std::deque<serve::Response> m_script;
    std::vector<serve::Request> m_received;
    std::unique_ptr<Deliverer> m_deliverer;
};

TEST_F(StoryDigestDeliveryTest, UpdatesOfOneStoryInOneSlotGoOutAsOneSignedMessage)
{
    const core::Instant due = core::now() - 1s;  // the slot has ended
    std::vector<std::string> ids;
    for (const char* item : {"a", "b", "c"}) {
        ids.push_back(queue_update("story-1", item, due).webhook_id);
    }
    queue_update("story-2", "d", due);
    const model::OutboxEntry single = queue_update("story-3", "e", std::nullopt);  // story_updates = "each"
    start();
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }));
    m_io.run_for(200ms);
    ASSERT_EQ(m_received.size(), 3u);
    std::map<std::string, json> by_id;
    for (const serve::Request& request : m_received) {
        EXPECT_TRUE(verify({k_secret}, request.header("webhook-id"), std::stoll(request.header("webhook-timestamp")),
                           request.body, request.header("webhook-signature")));
        by_id[request.header("webhook-id")] = json::parse(request.body);
    }
    const std::string digest_id = story_digest_id("ops", "story-1@" + std::to_string(due.time_since_epoch().count()));
    ASSERT_TRUE(by_id.contains(digest_id));
    const json& digest = by_id[digest_id];
    EXPECT_EQ(digest["type"], "watchlist.story_digest");
    EXPECT_EQ(digest["data"]["count"], 3);
    EXPECT_EQ(digest["data"]["story"]["id"], "story-1");
    std::vector<std::string> listed;
    for (const json& alert : digest["data"]["alerts"]) {
        listed.push_back(alert["id"].get<std::string>());
    }
    EXPECT_EQ(listed, ids);  // in creation order
    ASSERT_TRUE(by_id.contains(single.webhook_id));
    EXPECT_EQ(by_id[single.webhook_id]["type"], "watchlist.update");
}

TEST_F(StoryDigestDeliveryTest, UpdatesWaitInTheOutboxUntilTheirSlotEnds)
{
    queue_update("story-1", "a", core::now() + 1h);
    start();
    m_io.run_for(500ms);
    EXPECT_TRUE(m_received.empty());
    EXPECT_EQ(m_store->outbox_pending(), 1u);
}

TEST_F(StoryDigestDeliveryTest, AFailedDigestIsRetriedWholeUnderTheSameId)
{
    const core::Instant due = core::now() - 1s;
    for (const char* item : {"a", "b", "c"}) {
        queue_update("story-1", item, due);
    }
    m_script.push_back(serve::Response{503, "text/plain", {}, "busy"});
    start();
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }, 15s));
    m_io.run_for(200ms);
    ASSERT_EQ(m_received.size(), 2u);
    EXPECT_EQ(m_received[0].header("webhook-id"), m_received[1].header("webhook-id"));
    EXPECT_EQ(json::parse(m_received[1].body)["data"]["count"], 3);
}

TEST_F(StoryDigestDeliveryTest, HeldUpdatesSurviveARestartAndAreSentOnce)
{
    const core::Instant due = core::now() + 2s;
    queue_update("story-1", "a", due);
    queue_update("story-1", "b", due);
    ASSERT_TRUE(m_store->sync());
    m_store.reset();  // the daemon stops before the slot ends
    open_store();
    EXPECT_EQ(m_store->outbox_pending(), 2u);
    start(Format::slack);
    ASSERT_TRUE(run_until(m_io, [&] { return m_store->outbox_pending() == 0; }, 15s));
    m_io.run_for(300ms);
    ASSERT_EQ(m_received.size(), 1u);
    const json body = json::parse(m_received[0].body);
    EXPECT_NE(body["text"].get<std::string>().find("+2 reports on a story (3 reports from 2 outlets)"),
              std::string::npos)
        << m_received[0].body;
    EXPECT_NE(m_received[0].body.find("Report a"), std::string::npos);
    EXPECT_NE(m_received[0].body.find("Report b"), std::string::npos);
}

}  // namespace
}  // namespace feedwatch::deliver
