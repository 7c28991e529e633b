// GET /api/v1/stories and /api/v1/stories/{id} against a real store in a temp directory: the
// story rows are written by Store::commit with the articles, as the daemon's ingest does.
#include "support/temp_dir.hpp"
#include "api/api.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deliver/payload.hpp"
#include "model/ids.hpp"

namespace feedwatch::api {
namespace {

using nlohmann::json;
using testing_support::TempDir;

class StoriesApiTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto opened = store::Store::open(m_dir.path() / "db");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
        m_api = std::make_unique<Api>(*m_store, m_config);
    }

    // Commits one article of feed (titled outlet) in story; when watchlist is set, the
    // watchlist alerts on the story with it (its first alert, as ingest records it).
    std::string add(const std::string& feed, const std::string& outlet, const std::string& item_id,
                    const std::string& title, const std::string& story, core::Instant when,
                    const std::string& watchlist = {})
    {
        model::Article article;
        article.feed = model::FeedRef{feed, outlet};
        article.item.id = item_id;
        article.item.title = title;
        article.item.link = "https://example.test/" + item_id;
        article.id = model::article_id(feed, item_id);
        article.first_seen = when;
        article.story = story.empty() ? article.id : story;
        store::PollCommit commit;
        commit.feed_url = feed;
        if (!watchlist.empty()) {
            commit.story_alerts.push_back(store::StoryAlerted{watchlist, article.story});
        }
        commit.articles.push_back(article);
        EXPECT_TRUE(m_store->commit(commit));
        return article.story;
    }

    serve::Response get(const std::string& target)
    {
        serve::Request request;
        request.method = "GET";
        request.target = target;
        return m_api->handle(request);
    }

    TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
    config::Config m_config;
    std::unique_ptr<Api> m_api;
    const core::Instant m_t0 = core::now() - std::chrono::hours{2};
};

constexpr const char* k_wire = "http://127.0.0.1:1/wire.xml";
constexpr const char* k_trade = "http://127.0.0.1:1/trade.xml";

TEST_F(StoriesApiTest, ListsStoriesNewestFirstWithFirstTitleCountOutletsAndWatchlists)
{
    const std::string first = add(k_wire, "The Wire", "1", "Dam fails in Northvale", "", m_t0, "floods");
    add(k_trade, "Trade Daily", "2", "Northvale dam collapse hits shipping", first, m_t0 + std::chrono::minutes{1});
    add(k_wire, "The Wire", "3", "Northvale dam: follow-up", first, m_t0 + std::chrono::minutes{2}, "shipping");
    const std::string second = add(k_wire, "The Wire", "4", "Chip plant opens", "", m_t0 + std::chrono::minutes{3});

    const auto response = get("/api/v1/stories");
    ASSERT_EQ(response.status, 200) << response.body;
    const json body = json::parse(response.body);
    ASSERT_EQ(body["stories"].size(), 2u);
    EXPECT_EQ(body["stories"][0]["id"], second);
    const json& dam = body["stories"][1];
    EXPECT_EQ(dam["id"], first);
    EXPECT_EQ(dam["title"], "Dam fails in Northvale");
    EXPECT_EQ(dam["first_seen"], core::format_rfc3339(m_t0));
    EXPECT_EQ(dam["last_seen"], core::format_rfc3339(m_t0 + std::chrono::minutes{2}));
    EXPECT_EQ(dam["articles"], 3);
    EXPECT_EQ(dam["outlets"], json::array({"The Wire", "Trade Daily"}));
    EXPECT_EQ(dam["watchlists"], json::array({"floods", "shipping"}));
    EXPECT_TRUE(body["next"].is_null());
}

TEST_F(StoriesApiTest, FiltersStoriesByWatchlistAndSinceAndPagesWithLimit)
{
    const std::string old_story = add(k_wire, "The Wire", "1", "Old flood", "", m_t0, "floods");
    add(k_wire, "The Wire", "2", "Unwatched", "", m_t0 + std::chrono::minutes{1});
    const std::string new_story = add(k_wire, "The Wire", "3", "New flood", "", m_t0 + std::chrono::minutes{90}, "floods");

    json body = json::parse(get("/api/v1/stories?watchlist=floods").body);
    ASSERT_EQ(body["stories"].size(), 2u);
    EXPECT_EQ(body["stories"][0]["id"], new_story);
    EXPECT_EQ(body["stories"][1]["id"], old_story);

    body = json::parse(get("/api/v1/stories?watchlist=floods&since=1h").body);
    ASSERT_EQ(body["stories"].size(), 1u);
    EXPECT_EQ(body["stories"][0]["id"], new_story);

    body = json::parse(get("/api/v1/stories?limit=1").body);
    ASSERT_EQ(body["stories"].size(), 1u);
    EXPECT_EQ(body["stories"][0]["id"], new_story);
    ASSERT_TRUE(body["next"].is_string());
    body = json::parse(get("/api/v1/stories?limit=2&before=" + body["next"].get<std::string>()).body);
    ASSERT_EQ(body["stories"].size(), 2u);
    EXPECT_EQ(body["stories"][0]["title"], "Unwatched");
    EXPECT_EQ(body["stories"][1]["id"], old_story);

    body = json::parse(get("/api/v1/stories?watchlist=nobody").body);
    EXPECT_TRUE(body["stories"].empty());
}

TEST_F(StoriesApiTest, ShowsOneStoryWithItsReportsInArrivalOrder)
{
    const std::string story = add(k_wire, "The Wire", "1", "Dam fails", "", m_t0);
    add(k_wire, "The Wire", "other", "Unrelated", "", m_t0 + std::chrono::seconds{30});
    add(k_trade, "", "2", "Dam collapse", story, m_t0 + std::chrono::minutes{1});
    add(k_wire, "The Wire", "3", "Dam follow-up", story, m_t0 + std::chrono::minutes{2});

    const auto response = get("/api/v1/stories/" + story);
    ASSERT_EQ(response.status, 200) << response.body;
    const json body = json::parse(response.body);
    EXPECT_EQ(body["id"], story);
    EXPECT_EQ(body["articles"], 3);
    ASSERT_EQ(body["reports"].size(), 3u);
    EXPECT_EQ(body["reports"][0]["title"], "Dam fails");
    EXPECT_EQ(body["reports"][1]["title"], "Dam collapse");
    EXPECT_EQ(body["reports"][1]["outlet"], "127.0.0.1:1");  // no feed title: the host
    EXPECT_EQ(body["reports"][2]["title"], "Dam follow-up");
    EXPECT_EQ(body["reports"][2]["link"], "https://example.test/3");
    EXPECT_EQ(body["outlets"], json::array({"The Wire", "127.0.0.1:1"}));
}

TEST_F(StoriesApiTest, AnUnknownStoryIs404)
{
    add(k_wire, "The Wire", "1", "Dam fails", "", m_t0);
    const auto response = get("/api/v1/stories/0123456789abcdef0123456789abcdef");
    EXPECT_EQ(response.status, 404);
    EXPECT_NE(json::parse(response.body)["error"].get<std::string>().find("no such story"), std::string::npos);
    EXPECT_EQ(get("/api/v1/stories/a/b").status, 404);
}

TEST_F(StoriesApiTest, BadParametersAre400NamingTheParameter)
{
    struct Case {
        const char* target;
        const char* parameter;
    };
    for (const Case& bad : {Case{"/api/v1/stories?limit=0", "limit"}, Case{"/api/v1/stories?limit=201", "limit"},
                            Case{"/api/v1/stories?limit=ten", "limit"}, Case{"/api/v1/stories?since=yesterday", "since"},
                            Case{"/api/v1/stories?before=0", "before"}, Case{"/api/v1/stories?watchlist=", "watchlist"},
                            Case{"/api/v1/stories?colour=red", "colour"}, Case{"/api/v1/stories/abc?x=1", "x"}}) {
        const auto response = get(bad.target);
        EXPECT_EQ(response.status, 400) << bad.target;
        const json body = json::parse(response.body);
        EXPECT_EQ(body["parameter"], bad.parameter) << bad.target;
        EXPECT_FALSE(body["error"].get<std::string>().empty());
    }
}

TEST_F(StoriesApiTest, StoriesSurviveAReopenAndContinueTheirOrder)
{
    const std::string first = add(k_wire, "The Wire", "1", "Dam fails", "", m_t0);
    m_api.reset();
    m_store.reset();
    auto reopened = store::Store::open(m_dir.path() / "db");
    ASSERT_TRUE(reopened);
    m_store = std::move(*reopened);
    m_api = std::make_unique<Api>(*m_store, m_config);
    add(k_trade, "Trade Daily", "2", "Dam collapse", first, m_t0 + std::chrono::minutes{1});
    const std::string second = add(k_wire, "The Wire", "3", "Chip plant", "", m_t0 + std::chrono::minutes{2});
    const json body = json::parse(get("/api/v1/stories").body);
    ASSERT_EQ(body["stories"].size(), 2u);
    EXPECT_EQ(body["stories"][0]["id"], second);
    EXPECT_EQ(body["stories"][1]["id"], first);
    EXPECT_EQ(body["stories"][1]["articles"], 2);
}

TEST_F(StoriesApiTest, AlertsInTheListingAndTheStreamCarryTheStoryId)
{
    serve::Request request;
    request.method = "GET";
    request.target = "/api/v1/alerts/stream";
    ASSERT_EQ(m_api->handle(request).status, 200);

    model::Article article;
    article.feed = model::FeedRef{k_wire, "The Wire"};
    article.item.id = "1";
    article.item.title = "Dam fails";
    article.id = model::article_id(k_wire, "1");
    article.first_seen = m_t0;
    article.story = article.id;
    const deliver::StoryAlert story{deliver::AlertType::match, article.story, m_t0, 1, {"The Wire"}};
    const std::string body = deliver::render_json_payload("floods", article, {{"dam", "title", "Dam"}}, m_t0, story);
    store::PollCommit commit;
    commit.feed_url = k_wire;
    commit.articles.push_back(article);
    commit.story_alerts.push_back(store::StoryAlerted{"floods", article.story});
    commit.outbox.push_back(model::OutboxEntry{"ops", model::webhook_id("floods", "ops", article.id), "floods",
                                               article.id, body, m_t0, m_t0, 0});
    ASSERT_TRUE(m_store->commit(commit));

    const json listed = json::parse(get("/api/v1/alerts").body);
    ASSERT_EQ(listed["alerts"].size(), 1u);
    EXPECT_EQ(listed["alerts"][0]["story"], article.story);
    EXPECT_EQ(listed["alerts"][0]["watchlist"], "floods");  // the existing keys stay

    m_api->publish_new_alerts();
    const std::string pushed = request.stream()->take();
    const std::size_t data = pushed.find("data: ");
    ASSERT_NE(data, std::string::npos) << pushed;
    const json event = json::parse(pushed.substr(data + 6, pushed.find('\n', data) - data - 6));
    EXPECT_EQ(event["story"], article.story);
    m_api->stop();
}

TEST_F(StoriesApiTest, AlertsWithoutAStoryHaveANullStory)
{
    model::Article article;
    article.feed = model::FeedRef{k_wire, "The Wire"};
    article.item.id = "1";
    article.item.title = "Dam fails";
    article.id = model::article_id(k_wire, "1");
    article.first_seen = m_t0;
    const std::string body = deliver::render_json_payload("floods", article, {{"dam", "title", "Dam"}}, m_t0);
    store::PollCommit commit;
    commit.feed_url = k_wire;
    commit.articles.push_back(article);
    commit.outbox.push_back(model::OutboxEntry{"ops", model::webhook_id("floods", "ops", article.id), "floods",
                                               article.id, body, m_t0, m_t0, 0});
    ASSERT_TRUE(m_store->commit(commit));
    const json listed = json::parse(get("/api/v1/alerts").body);
    ASSERT_EQ(listed["alerts"].size(), 1u);
    EXPECT_TRUE(listed["alerts"][0]["story"].is_null());
    EXPECT_TRUE(json::parse(get("/api/v1/stories").body)["stories"].empty());
}

}  // namespace
}  // namespace feedwatch::api
