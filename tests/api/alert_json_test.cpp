// append_alert_json writes what nlohmann::json would dump for the whole alert object.
#include "api/alert_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace feedwatch::api {
namespace {

using nlohmann::json;

// The object as the API built it with nlohmann::json before the alert was split in parts.
std::string tree_dump(const store::AlertRecord& record, const std::vector<store::AlertDelivery>& deliveries)
{
    json article = {{"id", record.article_id},
                    {"title", record.title},
                    {"link", record.link},
                    {"published", record.published ? json(core::format_rfc3339(*record.published)) : json(nullptr)},
                    {"feed", {{"url", record.feed_url}, {"title", record.feed_title}}}};
    json matches = json::array();
    for (const auto& match : record.matches) {
        matches.push_back({{"term", match.term}, {"field", match.field}, {"snippet", match.snippet}});
    }
    json list = json::array();
    for (const auto& delivery : deliveries) {
        json item = {{"webhook", delivery.webhook},
                     {"webhook_id", delivery.webhook_id},
                     {"state", store::to_string(delivery.state)},
                     {"attempts", delivery.attempts}};
        if (delivery.next_attempt) {
            item["next_attempt"] = core::format_rfc3339(*delivery.next_attempt);
        }
        list.push_back(std::move(item));
    }
    const json object = {{"id", std::to_string(record.sequence)},
                         {"watchlist", record.watchlist},
                         {"created", core::format_rfc3339(record.created)},
                         {"article", std::move(article)},
                         {"matches", std::move(matches)},
                         {"story", record.story.empty() ? json(nullptr) : json(record.story)},
                         {"deliveries", std::move(list)}};
    return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

store::AlertRecord record()
{
    store::AlertRecord record;
    record.sequence = 42;
    record.watchlist = "china \"cyber\"";
    record.article_id = "abc";
    record.created = core::Instant{std::chrono::seconds{1'700'000'000}};
    record.title = "Bad \xff UTF-8, tab\t, quote \" and \xe2\x80\x94";
    record.link = "https://example.test/?a=1&b=2";
    record.feed_url = "https://example.test/feed";
    record.feed_title = "Feed \\ title";
    record.matches = {{"huawei", "title", "\x01snippet"}};
    record.webhooks = {{"ops", "msg_1"}, {"au\"dit", "msg_2"}};
    return record;
}

TEST(AlertJson, SplicedDeliveriesGiveTheBytesOfTheWholeTree)
{
    const store::AlertRecord alert = record();
    const std::vector<store::AlertDelivery> deliveries{
        {"ops", "msg_1", store::DeliveryState::pending, 3, alert.created + std::chrono::minutes{5}},
        {"au\"dit", "msg_2", store::DeliveryState::dead, 12, std::nullopt}};
    std::string out;
    append_alert_json(out, render_alert(alert), deliveries);
    EXPECT_EQ(out, tree_dump(alert, deliveries));
}

TEST(AlertJson, WithoutDeliveriesOrPublishedTheBytesStillMatch)
{
    store::AlertRecord alert = record();
    alert.webhooks.clear();
    std::string out;
    append_alert_json(out, render_alert(alert), {});
    EXPECT_EQ(out, tree_dump(alert, {}));
    alert.published = alert.created;
    out.clear();
    append_alert_json(out, render_alert(alert), {});
    EXPECT_EQ(out, tree_dump(alert, {}));
}

TEST(AlertJson, ADeliveryForAnotherWebhookThanTheRowsIsWrittenFromItsOwnNames)
{
    const store::AlertRecord alert = record();
    const std::vector<store::AlertDelivery> deliveries{
        {"other", "msg_9", store::DeliveryState::delivered, 0, std::nullopt}};
    std::string out;
    append_alert_json(out, render_alert(alert), deliveries);
    EXPECT_EQ(out, tree_dump(alert, deliveries));
}

TEST(AlertJson, AnAlertOfAStoryCarriesItsStoryIdAndTheBytesStillMatch)
{
    store::AlertRecord alert = record();
    alert.story = "story \"one\"";
    const std::vector<store::AlertDelivery> deliveries{
        {"ops", "msg_1", store::DeliveryState::delivered, 0, std::nullopt}};
    std::string out;
    append_alert_json(out, render_alert(alert), deliveries);
    EXPECT_EQ(out, tree_dump(alert, deliveries));
    EXPECT_EQ(json::parse(out)["story"], "story \"one\"");
}

}  // namespace
}  // namespace feedwatch::api
