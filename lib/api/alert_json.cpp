#include "api/alert_json.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace feedwatch::api {
namespace {

using nlohmann::json;

std::string dump(const json& value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string delivery_tail(std::string_view webhook, std::string_view webhook_id)
{
    return ",\"webhook\":" + dump(json(webhook)) + ",\"webhook_id\":" + dump(json(webhook_id)) + "}";
}

}  // namespace

RenderedAlert render_alert(const store::AlertRecord& record)
{
    RenderedAlert alert;
    alert.sequence = record.sequence;
    alert.watchlist = record.watchlist;
    alert.created = record.created;
    alert.webhooks = record.webhooks;
    const json article = {
        {"id", record.article_id},
        {"title", record.title},
        {"link", record.link},
        {"published", record.published ? json(core::format_rfc3339(*record.published)) : json(nullptr)},
        {"feed", {{"url", record.feed_url}, {"title", record.feed_title}}}};
    json matches = json::array();
    for (const auto& match : record.matches) {
        matches.push_back({{"term", match.term}, {"field", match.field}, {"snippet", match.snippet}});
    }
    alert.head = "{\"article\":" + dump(article) + ",\"created\":" + dump(json(core::format_rfc3339(record.created))) +
                 ",\"deliveries\":";
    alert.tail = ",\"id\":" + dump(json(std::to_string(record.sequence))) + ",\"matches\":" + dump(matches) +
                 ",\"story\":" + (record.story.empty() ? std::string("null") : dump(json(record.story))) +
                 ",\"watchlist\":" + dump(json(record.watchlist)) + "}";
    for (const auto& [webhook, webhook_id] : record.webhooks) {
        alert.delivery_tails.push_back(delivery_tail(webhook, webhook_id));
    }
    return alert;
}

void append_alert_json(std::string& out, const RenderedAlert& alert,
                       const std::vector<store::AlertDelivery>& deliveries)
{
    out += alert.head;
    out += '[';
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
        const store::AlertDelivery& delivery = deliveries[i];
        if (i > 0) {
            out += ',';
        }
        out += "{\"attempts\":";
        char digits[16];
        const auto written = std::to_chars(digits, digits + sizeof digits, delivery.attempts);
        out.append(digits, written.ptr);
        if (delivery.next_attempt) {
            out += ",\"next_attempt\":\"";
            out += core::format_rfc3339(*delivery.next_attempt);  // digits, '-', ':', 'T', 'Z': nothing to escape
            out += '"';
        }
        out += ",\"state\":\"";
        out += store::to_string(delivery.state);
        out += '"';
        // The tails were rendered for the row's webhooks; deliveries come in the same order.
        const bool same_webhook = i < alert.delivery_tails.size() && i < alert.webhooks.size() &&
                                  alert.webhooks[i].first == delivery.webhook &&
                                  alert.webhooks[i].second == delivery.webhook_id;
        out += same_webhook ? alert.delivery_tails[i] : delivery_tail(delivery.webhook, delivery.webhook_id);
    }
    out += ']';
    out += alert.tail;
}

}  // namespace feedwatch::api
