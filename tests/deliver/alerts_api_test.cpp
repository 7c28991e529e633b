#include "deliver/alerts_api.hpp"

#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/ids.hpp"

namespace feedwatch::deliver {
namespace {

using nlohmann::json;

class AlertsApiTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "feedwatch-api-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        m_dir = pattern;
        auto opened = store::Store::open(m_dir / "db");
        ASSERT_TRUE(opened) << opened.error().detail;
        m_store = std::move(*opened);
        m_deliverer = std::make_unique<Deliverer>(m_io, *m_store, m_client, std::vector<WebhookTarget>{},
                                                  DeliveryObserver{});
        store::PollCommit commit;
        commit.feed_url = "https://example.com/feed";
        for (const char* item : {"a", "b"}) {
            model::OutboxEntry entry;
            entry.webhook = "ops";
            entry.watchlist = "china-cyber";
            entry.article_id = model::article_id(commit.feed_url, item);
            entry.webhook_id = model::webhook_id(entry.watchlist, entry.webhook, entry.article_id);
            entry.body = R"({"type":"watchlist.match","data":{"article":{"title":"Huawei )" + std::string(item) +
                         R"(","link":"https://example.com/a"}}})";
            entry.created = core::now();
            entry.next_attempt = entry.created;
            commit.outbox.push_back(entry);
        }
        ASSERT_TRUE(m_store->commit(commit));
    }
    void TearDown() override
    {
        m_deliverer.reset();
        m_store.reset();
        std::filesystem::remove_all(m_dir);
    }

    json call(std::string_view method, std::string_view target, std::string_view body, int expected_status)
    {
        const ApiResponse response = handle_alerts_api(*m_store, *m_deliverer, method, target, body);
        EXPECT_EQ(response.status, expected_status) << response.body;
        return json::parse(response.body);
    }

    std::filesystem::path m_dir;
    asio::io_context m_io;
    http::Client m_client{m_io};
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<Deliverer> m_deliverer;
};

TEST_F(AlertsApiTest, ListsPendingAlertsAsAnObjectWithAnAlertsArray)
{
    EXPECT_TRUE(is_alerts_api("/api/v1/alerts?state=dead"));
    EXPECT_TRUE(is_alerts_api("/api/v1/alerts/requeue"));
    EXPECT_FALSE(is_alerts_api("/metrics"));
    const json listed = call("GET", "/api/v1/alerts", "", 200);
    ASSERT_EQ(listed["alerts"].size(), 2u);
    EXPECT_EQ(listed["alerts"][0]["state"], "pending");
    EXPECT_EQ(listed["alerts"][0]["title"], "Huawei a");
    EXPECT_EQ(listed["alerts"][0]["webhook"], "ops");
    EXPECT_EQ(listed["alerts"][0]["attempts"], 0);
    EXPECT_TRUE(listed["alerts"][0]["id"].get<std::string>().starts_with("msg_"));
    EXPECT_TRUE(call("GET", "/api/v1/alerts?state=dead", "", 200)["alerts"].empty());
    call("GET", "/api/v1/alerts?state=bogus", "", 400);
    call("DELETE", "/api/v1/alerts", "", 405);
}

TEST_F(AlertsApiTest, RequeuesOneDeadAlertByIdOrAllDead)
{
    auto rows = m_store->outbox_all().value();
    for (const auto& row : rows) {
        ASSERT_TRUE(m_store->outbox_dead(row.key, row.entry));
    }
    const json dead = call("GET", "/api/v1/alerts?state=dead", "", 200);
    ASSERT_EQ(dead["alerts"].size(), 2u);
    EXPECT_FALSE(dead["alerts"][0].contains("next_attempt"));

    const std::string id = rows[0].entry.webhook_id;
    EXPECT_EQ(call("POST", "/api/v1/alerts/requeue", json{{"id", id}}.dump(), 200)["requeued"], 1);
    call("POST", "/api/v1/alerts/requeue", json{{"id", id + "x"}}.dump(), 404);
    EXPECT_EQ(call("POST", "/api/v1/alerts/requeue", R"({"dead":true})", 200)["requeued"], 1);
    call("POST", "/api/v1/alerts/requeue", "nonsense", 400);
    EXPECT_EQ(m_store->outbox_pending(), 2u);
    EXPECT_TRUE(m_store->dead_all().value().empty());
}

}  // namespace
}  // namespace feedwatch::deliver
