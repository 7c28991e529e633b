// The HTTP API's handlers against a real store in a temp directory: listings, parameter
// errors, the bearer token and the alert stream's replay.
#include "support/temp_dir.hpp"
#include "api/api.hpp"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deliver/payload.hpp"
#include "model/ids.hpp"
#include "store/queries.hpp"

namespace feedwatch::api {
namespace {

using nlohmann::json;

using testing_support::TempDir;

constexpr const char* k_feed = "http://127.0.0.1:1/wire.xml";

class ApiTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto opened = store::Store::open(m_dir.path() / "db");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
        config::FeedConfig feed;
        feed.url = k_feed;
        m_config.feeds.push_back(feed);
        config::FeedConfig fresh;
        fresh.url = "http://127.0.0.1:1/never-polled.xml";
        m_config.feeds.push_back(fresh);
        config::WatchlistConfig watchlist;
        watchlist.name = "china-cyber";
        watchlist.query = "Huawei OR indictment";
        watchlist.notify = {"ops", "audit"};
        m_config.watchlists.push_back(watchlist);
        m_api = std::make_unique<Api>(*m_store, m_config);
    }

    // Commits one article; when watchlist is set, with one outbox row per webhook.
    void add_article(const std::string& item_id, const std::string& title, const std::string& watchlist,
                     core::Instant when)
    {
        model::Article article;
        article.feed = model::FeedRef{k_feed, "The Wire"};
        article.item.id = item_id;
        article.item.title = title;
        article.item.link = "https://example.test/" + item_id;
        article.item.text = title + " body text";
        article.id = model::article_id(k_feed, item_id);
        article.first_seen = when;
        store::PollCommit commit;
        commit.feed_url = k_feed;
        commit.state.title = "The Wire";
        commit.state.last_success = when;
        if (!watchlist.empty()) {
            const std::vector<model::Match> matches{{"huawei", "title", title}};
            const std::string body = deliver::render_json_payload(watchlist, article, matches, when);
            for (const char* webhook : {"ops", "audit"}) {
                commit.outbox.push_back(model::OutboxEntry{webhook, model::webhook_id(watchlist, webhook, article.id),
                                                           watchlist, article.id, body, when, when, 0});
            }
        }
        commit.articles.push_back(article);
        ASSERT_TRUE(m_store->commit(commit));
    }

    serve::Response get(const std::string& target, std::vector<serve::Header> headers = {})
    {
        serve::Request request;
        request.method = "GET";
        request.target = target;
        request.headers = std::move(headers);
        return m_api->handle(request);
    }

    static json body_of(const serve::Response& response) { return json::parse(response.body); }
    static json body_of(const std::string& body) { return json::parse(body); }

    TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
    config::Config m_config;
    std::unique_ptr<Api> m_api;
    const core::Instant m_t0 = core::now() - std::chrono::hours{2};
};

TEST_F(ApiTest, ListsAlertsNewestFirstWithDeliveryStatePerWebhook)
{
    add_article("1", "Huawei indicted", "china-cyber", m_t0);
    add_article("2", "Weather", "", m_t0 + std::chrono::seconds{1});
    add_article("3", "Huawei again", "china-cyber", m_t0 + std::chrono::seconds{2});
    // Deliver the first alert to ops.
    auto pending = m_store->outbox_all();
    ASSERT_TRUE(pending);
    for (const auto& row : *pending) {
        if (row.entry.webhook == "ops" && row.entry.article_id == model::article_id(k_feed, "1")) {
            ASSERT_TRUE(m_store->outbox_delivered(row.key));
        }
    }
    const auto response = get("/api/v1/alerts");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    const json body = body_of(response);
    ASSERT_EQ(body["alerts"].size(), 2u);
    EXPECT_EQ(body["alerts"][0]["article"]["title"], "Huawei again");
    EXPECT_EQ(body["alerts"][1]["article"]["title"], "Huawei indicted");
    EXPECT_EQ(body["alerts"][1]["article"]["feed"]["title"], "The Wire");
    EXPECT_EQ(body["alerts"][1]["watchlist"], "china-cyber");
    EXPECT_EQ(body["alerts"][1]["matches"][0]["term"], "huawei");
    const json& deliveries = body["alerts"][1]["deliveries"];
    ASSERT_EQ(deliveries.size(), 2u);
    EXPECT_EQ(deliveries[0]["webhook"], "ops");
    EXPECT_EQ(deliveries[0]["state"], "delivered");
    EXPECT_EQ(deliveries[1]["webhook"], "audit");
    EXPECT_EQ(deliveries[1]["state"], "pending");
    EXPECT_TRUE(body["next"].is_null());
}

// The exact bytes of an alert listing with every delivery state, a missing and a present
// published time and text that needs escaping, pinned as served before the listing was
// rendered from cached fragments (so that the faster writer changes nothing a client sees).
TEST_F(ApiTest, AlertListingKeepsItsExactBytes)
{
    const core::Instant t0 = *core::parse_rfc3339("2026-11-20T10:00:00Z");
    auto commit_alert = [&](const std::string& item_id, const std::string& title,
                            std::optional<core::Instant> published, core::Instant when) {
        model::Article article;
        article.feed = model::FeedRef{k_feed, "The \"Wire\" \xc3\xa9"};
        article.item.id = item_id;
        article.item.title = title;
        article.item.link = "https://example.test/" + item_id + "?a=1&b=<2>";
        article.item.text = title + " body";
        article.item.published = published;
        article.id = model::article_id(k_feed, item_id);
        article.first_seen = when;
        const std::vector<model::Match> matches{{"huawei", "title", title}, {"zte", "text", "\tzte\\"}};
        const std::string body = deliver::render_json_payload("china-cyber", article, matches, when);
        store::PollCommit commit;
        commit.feed_url = k_feed;
        for (const char* webhook : {"ops", "audit"}) {
            commit.outbox.push_back(model::OutboxEntry{webhook, model::webhook_id("china-cyber", webhook, article.id),
                                                       "china-cyber", article.id, body, when, when, 0});
        }
        commit.articles.push_back(article);
        ASSERT_TRUE(m_store->commit(commit));
    };
    commit_alert("1", "Huawei \"indicted\" \xe2\x80\x94 again\x01", std::nullopt, t0);
    commit_alert("2", "Huawei two", t0 - std::chrono::hours{1}, t0 + std::chrono::seconds{1});
    auto pending = m_store->outbox_all();
    ASSERT_TRUE(pending);
    for (const auto& row : *pending) {
        if (row.entry.article_id == model::article_id(k_feed, "1") && row.entry.webhook == "ops") {
            ASSERT_TRUE(m_store->outbox_delivered(row.key));
        }
        if (row.entry.article_id == model::article_id(k_feed, "1") && row.entry.webhook == "audit") {
            auto dead = row.entry;
            dead.attempts = 7;
            ASSERT_TRUE(m_store->outbox_dead(row.key, dead));
        }
        if (row.entry.article_id == model::article_id(k_feed, "2") && row.entry.webhook == "ops") {
            auto later = row.entry;
            later.attempts = 2;
            later.next_attempt = t0 + std::chrono::minutes{5};
            ASSERT_TRUE(m_store->outbox_reschedule(row.key, later));
        }
    }
    const auto response = get("/api/v1/alerts?limit=2");
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(
        response.body,
        R"json({"alerts":[{"article":{"feed":{"title":"The \"Wire\" é","url":"http://127.0.0.1:1/wire.xml"},"id":"fab4c93a1b357d6b02b07d1d2fd80ae1","link":"https://example.test/2?a=1&b=<2>","published":"2026-11-20T09:00:00Z","title":"Huawei two"},"created":"2026-11-20T10:00:01Z","deliveries":[{"attempts":2,"next_attempt":"2026-11-20T10:05:00Z","state":"pending","webhook":"ops","webhook_id":"msg_d6dcb88b4ed784782a080ebe4d25b345"},{"attempts":0,"next_attempt":"2026-11-20T10:00:01Z","state":"pending","webhook":"audit","webhook_id":"msg_fc820d59da0b107805e58db958c6c2a8"}],"id":"2","matches":[{"field":"title","snippet":"Huawei two","term":"huawei"},{"field":"text","snippet":"\tzte\\","term":"zte"}],"story":null,"watchlist":"china-cyber"},)json"
        R"json({"article":{"feed":{"title":"The \"Wire\" é","url":"http://127.0.0.1:1/wire.xml"},"id":"35a41105c8097ee0623a9b07a61964ce","link":"https://example.test/1?a=1&b=<2>","published":null,"title":"Huawei \"indicted\" — again\u0001"},"created":"2026-11-20T10:00:00Z","deliveries":[{"attempts":0,"state":"delivered","webhook":"ops","webhook_id":"msg_416632ab1aeb54f9f6c90ed00ed8d0df"},{"attempts":7,"state":"dead","webhook":"audit","webhook_id":"msg_22a7e7455c0bcc691d6a9bbddc05d36e"}],"id":"1","matches":[{"field":"title","snippet":"Huawei \"indicted\" — again\u0001","term":"huawei"},{"field":"text","snippet":"\tzte\\","term":"zte"}],"story":null,"watchlist":"china-cyber"}],"next":"1"})json"
        "\n");
}

// The listing keeps each alert's rendered JSON; only the delivery state may change after that,
// and the next request must show it.
TEST_F(ApiTest, DeliveryStateChangesShowOnTheNextRequestAfterTheAlertWasListed)
{
    add_article("1", "Huawei indicted", "china-cyber", m_t0);
    const json first = body_of(get("/api/v1/alerts"));
    ASSERT_EQ(first["alerts"].size(), 1u);
    EXPECT_EQ(first["alerts"][0]["deliveries"][0]["state"], "pending");
    EXPECT_EQ(first["alerts"][0]["deliveries"][1]["state"], "pending");
    auto pending = m_store->outbox_all();
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 2u);
    for (const auto& row : *pending) {
        if (row.entry.webhook == "ops") {
            ASSERT_TRUE(m_store->outbox_delivered(row.key));
        } else {
            auto dead = row.entry;
            dead.attempts = 9;
            ASSERT_TRUE(m_store->outbox_dead(row.key, dead));
        }
    }
    const json second = body_of(get("/api/v1/alerts"));
    ASSERT_EQ(second["alerts"].size(), 1u);
    const json& deliveries = second["alerts"][0]["deliveries"];
    EXPECT_EQ(deliveries[0]["webhook"], "ops");
    EXPECT_EQ(deliveries[0]["state"], "delivered");
    EXPECT_FALSE(deliveries[0].contains("next_attempt"));
    EXPECT_EQ(deliveries[1]["webhook"], "audit");
    EXPECT_EQ(deliveries[1]["state"], "dead");
    EXPECT_EQ(deliveries[1]["attempts"], 9);
    EXPECT_EQ(second["alerts"][0]["article"], first["alerts"][0]["article"]);
}

// Alerts rendered when they were published to streams, when listed, or read afresh by a new
// Api (nothing kept) give the same bytes.
TEST_F(ApiTest, AlertsRenderedAtPublishListTheSameAsAlertsReadAfresh)
{
    add_article("1", "Huawei one", "china-cyber", m_t0);
    add_article("2", "Huawei two", "other", m_t0 + std::chrono::seconds{1});
    m_api->publish_new_alerts();  // no stream open: renders them for the listing
    add_article("3", "Huawei three", "china-cyber", m_t0 + std::chrono::seconds{2});
    const std::string warm = get("/api/v1/alerts").body;
    const std::string warm_filtered = get("/api/v1/alerts?watchlist=china-cyber").body;
    m_api = std::make_unique<Api>(*m_store, m_config);
    EXPECT_EQ(get("/api/v1/alerts").body, warm);
    EXPECT_EQ(get("/api/v1/alerts?watchlist=china-cyber").body, warm_filtered);
    EXPECT_EQ(body_of(warm)["alerts"].size(), 3u);
    EXPECT_EQ(body_of(warm_filtered)["alerts"].size(), 2u);
}

TEST_F(ApiTest, PagesAlertsWithLimitAndBefore)
{
    for (int i = 0; i < 5; ++i) {
        add_article(std::to_string(i), "Huawei " + std::to_string(i), "china-cyber", m_t0 + std::chrono::seconds{i});
    }
    const json first = body_of(get("/api/v1/alerts?limit=2"));
    ASSERT_EQ(first["alerts"].size(), 2u);
    EXPECT_EQ(first["alerts"][0]["article"]["title"], "Huawei 4");
    ASSERT_TRUE(first["next"].is_string());
    const json second = body_of(get("/api/v1/alerts?limit=2&before=" + first["next"].get<std::string>()));
    ASSERT_EQ(second["alerts"].size(), 2u);
    EXPECT_EQ(second["alerts"][0]["article"]["title"], "Huawei 2");
    EXPECT_EQ(second["alerts"][1]["article"]["title"], "Huawei 1");
}

TEST_F(ApiTest, FiltersAlertsByWatchlistAndSince)
{
    add_article("old", "Huawei old", "china-cyber", m_t0 - std::chrono::hours{24});
    add_article("new", "Huawei new", "china-cyber", m_t0);
    add_article("other", "Huawei other", "other", m_t0);
    EXPECT_EQ(body_of(get("/api/v1/alerts?watchlist=other"))["alerts"].size(), 1u);
    const json recent = body_of(get("/api/v1/alerts?watchlist=china-cyber&since=3h"));
    ASSERT_EQ(recent["alerts"].size(), 1u);
    EXPECT_EQ(recent["alerts"][0]["article"]["title"], "Huawei new");
    EXPECT_EQ(body_of(get("/api/v1/alerts?since=" + core::format_rfc3339(m_t0 - std::chrono::hours{48})))["alerts"].size(),
              3u);
}

TEST_F(ApiTest, PagesAlertsOfOneWatchlistWithBefore)
{
    for (int i = 0; i < 6; ++i) {
        add_article(std::to_string(i), "Huawei " + std::to_string(i), i % 2 ? "china-cyber" : "other",
                    m_t0 + std::chrono::seconds{i});
    }
    const json first = body_of(get("/api/v1/alerts?watchlist=china-cyber&limit=2"));
    ASSERT_EQ(first["alerts"].size(), 2u);
    EXPECT_EQ(first["alerts"][0]["article"]["title"], "Huawei 5");
    EXPECT_EQ(first["alerts"][1]["article"]["title"], "Huawei 3");
    ASSERT_TRUE(first["next"].is_string());
    const json second =
        body_of(get("/api/v1/alerts?watchlist=china-cyber&limit=2&before=" + first["next"].get<std::string>()));
    ASSERT_EQ(second["alerts"].size(), 1u);
    EXPECT_EQ(second["alerts"][0]["article"]["title"], "Huawei 1");
    EXPECT_TRUE(second["next"].is_null());
    EXPECT_TRUE(body_of(get("/api/v1/alerts?watchlist=china"))["alerts"].empty());
}

TEST_F(ApiTest, InvalidParametersAre400NamingTheParameter)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {"/api/v1/alerts?limit=0", "limit"},        {"/api/v1/alerts?limit=501", "limit"},
        {"/api/v1/alerts?limit=ten", "limit"},      {"/api/v1/alerts?since=yesterday", "since"},
        {"/api/v1/alerts?before=x", "before"},      {"/api/v1/alerts?watchlst=a", "watchlst"},
        {"/api/v1/articles?q=(Huawei", "q"},        {"/api/v1/articles?limit=201", "limit"},
        {"/api/v1/articles?q=%zz", "q"},            {"/api/v1/alerts/stream?last_event_id=abc", "last_event_id"},
    };
    for (const auto& [target, parameter] : cases) {
        const auto response = get(target);
        EXPECT_EQ(response.status, 400) << target;
        const json body = body_of(response);
        EXPECT_EQ(body["parameter"], parameter) << target << " " << response.body;
        EXPECT_FALSE(body["error"].get<std::string>().empty());
    }
}

TEST_F(ApiTest, SearchesArticlesWithAWatchlistQueryNewestFirst)
{
    add_article("1", "Huawei indicted", "", m_t0);
    add_article("2", "Weather today", "", m_t0 + std::chrono::seconds{1});
    add_article("3", "Unit 61398 and Huawei", "", m_t0 + std::chrono::seconds{2});
    const json all = body_of(get("/api/v1/articles"));
    ASSERT_EQ(all["articles"].size(), 3u);
    EXPECT_EQ(all["articles"][0]["title"], "Unit 61398 and Huawei");
    const json found = body_of(get("/api/v1/articles?q=huawei+OR+%22unit+61398%22&limit=10"));
    ASSERT_EQ(found["articles"].size(), 2u) << found.dump();
    EXPECT_EQ(found["articles"][0]["title"], "Unit 61398 and Huawei");
    EXPECT_EQ(found["articles"][1]["title"], "Huawei indicted");
    EXPECT_FALSE(found["articles"][0]["matches"].empty());
    EXPECT_EQ(body_of(get("/api/v1/articles?q=weather&feed=http://elsewhere/"))["articles"].size(), 0u);
    const json page = body_of(get("/api/v1/articles?limit=1"));
    ASSERT_TRUE(page["next"].is_string());
    const json rest = body_of(get("/api/v1/articles?limit=5&before=" + page["next"].get<std::string>()));
    EXPECT_EQ(rest["articles"].size(), 2u);
}

TEST_F(ApiTest, ListsConfiguredFeedsWithStoredStateAndWatchlists)
{
    add_article("1", "Weather", "", m_t0);
    const json feeds = body_of(get("/api/v1/feeds"))["feeds"];
    ASSERT_EQ(feeds.size(), 2u);
    EXPECT_EQ(feeds[0]["url"], k_feed);
    EXPECT_EQ(feeds[0]["title"], "The Wire");
    EXPECT_EQ(feeds[0]["state"], "ok");
    EXPECT_EQ(feeds[0]["last_success"], core::format_rfc3339(m_t0));
    EXPECT_EQ(feeds[0]["consecutive_errors"], 0);
    EXPECT_EQ(feeds[1]["state"], "new");
    const json watchlists = body_of(get("/api/v1/watchlists"))["watchlists"];
    ASSERT_EQ(watchlists.size(), 1u);
    EXPECT_EQ(watchlists[0]["name"], "china-cyber");
    EXPECT_EQ(watchlists[0]["query"], "Huawei OR indictment");
}

TEST_F(ApiTest, FeedsShowTheLastOutcomeStatusAndItemsSeen)
{
    store::FeedState state;
    state.title = "The Wire";
    state.consecutive_errors = 2;
    state.last_outcome = "http_error";
    state.last_status = 503;
    state.last_poll = m_t0;
    state.items_seen = 41;
    ASSERT_TRUE(m_store->save_feed_state(k_feed, state));
    const json feeds = body_of(get("/api/v1/feeds"))["feeds"];
    ASSERT_EQ(feeds.size(), 2u);
    EXPECT_EQ(feeds[0]["state"], "failing");
    EXPECT_EQ(feeds[0]["last_outcome"], "http_error");
    EXPECT_EQ(feeds[0]["last_status"], 503);
    EXPECT_EQ(feeds[0]["last_poll"], core::format_rfc3339(m_t0));
    EXPECT_EQ(feeds[0]["items_seen"], 41);
    EXPECT_TRUE(feeds[1]["last_outcome"].is_null());  // never polled
    EXPECT_EQ(feeds[1]["items_seen"], 0);
}

TEST_F(ApiTest, ServesTheEmbeddedPageWithoutExternalResources)
{
    const auto response = get("/");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    EXPECT_NE(response.body.find("EventSource"), std::string::npos);
    EXPECT_EQ(response.body.find("src=\"http"), std::string::npos);
    EXPECT_EQ(response.body.find("href=\"http"), std::string::npos);
    EXPECT_EQ(get("/api/v1/nothing").status, 404);
}

TEST_F(ApiTest, RequiresTheBearerTokenWhenOneIsConfigured)
{
    m_config.daemon.api_token = "s3cret-token";
    m_api->set_config(m_config);
    EXPECT_EQ(get("/api/v1/feeds").status, 401);
    EXPECT_EQ(get("/api/v1/feeds", {{"authorization", "Bearer wrong"}}).status, 401);
    EXPECT_EQ(get("/api/v1/feeds", {{"authorization", "Bearer s3cret-token"}}).status, 200);
    EXPECT_EQ(get("/api/v1/feeds?access_token=s3cret-token").status, 200);
    EXPECT_EQ(get("/").status, 200);  // the page holds no data; it asks for the token
}

TEST(SameToken, ComparesWholeStrings)
{
    EXPECT_TRUE(same_token("abc", "abc"));
    EXPECT_FALSE(same_token("abc", "abd"));
    EXPECT_FALSE(same_token("abc", "abcd"));
    EXPECT_FALSE(same_token("", "a"));
    EXPECT_TRUE(same_token("", ""));
}

TEST_F(ApiTest, StreamPushesNewAlertsAndReplaysAfterLastEventId)
{
    add_article("1", "Huawei one", "china-cyber", m_t0);
    add_article("2", "Huawei two", "china-cyber", m_t0);
    serve::Request request;
    request.method = "GET";
    request.target = "/api/v1/alerts/stream";
    request.headers.push_back({"last-event-id", "1"});
    const auto head = m_api->handle(request);
    ASSERT_EQ(head.status, 200) << head.body;
    EXPECT_EQ(head.content_type, "text/event-stream; charset=utf-8");
    const std::shared_ptr<serve::Stream> stream = request.stream();
    ASSERT_TRUE(stream);
    EXPECT_EQ(head.body.find("Huawei one"), std::string::npos);
    EXPECT_NE(head.body.find("id: 2\nevent: alert\ndata: {"), std::string::npos) << head.body;
    EXPECT_NE(head.body.find("Huawei two"), std::string::npos);
    EXPECT_EQ(m_api->stream_count(), 1u);

    add_article("3", "Huawei three", "china-cyber", m_t0);
    m_api->publish_new_alerts();
    const std::string pushed = stream->take();
    EXPECT_NE(pushed.find("id: 3\nevent: alert\ndata: "), std::string::npos) << pushed;
    EXPECT_NE(pushed.find("Huawei three"), std::string::npos);
    m_api->publish_new_alerts();
    EXPECT_TRUE(stream->take().empty());  // each alert once

    m_api->stop();
    EXPECT_TRUE(stream->closed());
    EXPECT_EQ(m_api->stream_count(), 0u);
}

TEST_F(ApiTest, StreamWithoutLastEventIdStartsFromNow)
{
    add_article("1", "Huawei one", "china-cyber", m_t0);
    serve::Request request;
    request.method = "GET";
    request.target = "/api/v1/alerts/stream?watchlist=china-cyber";
    const auto head = m_api->handle(request);
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.body.find("Huawei"), std::string::npos);
    add_article("2", "Huawei two", "other", m_t0);
    add_article("3", "Huawei three", "china-cyber", m_t0);
    m_api->publish_new_alerts();
    const std::string pushed = request.stream()->take();
    EXPECT_EQ(pushed.find("Huawei two"), std::string::npos);  // filtered out
    EXPECT_NE(pushed.find("Huawei three"), std::string::npos);
}

TEST_F(ApiTest, HistorySequenceContinuesAfterReopen)
{
    add_article("1", "Huawei one", "china-cyber", m_t0);
    m_api.reset();
    m_store.reset();
    auto reopened = store::Store::open(m_dir.path() / "db");
    ASSERT_TRUE(reopened);
    m_store = std::move(*reopened);
    m_api = std::make_unique<Api>(*m_store, m_config);
    add_article("2", "Huawei two", "china-cyber", m_t0);
    const json body = body_of(get("/api/v1/alerts"));
    ASSERT_EQ(body["alerts"].size(), 2u);
    EXPECT_EQ(body["alerts"][0]["id"], "2");
    EXPECT_EQ(body["alerts"][1]["id"], "1");
}

}  // namespace
}  // namespace feedwatch::api
