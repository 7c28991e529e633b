#include "deliver/alerts_api.hpp"

#include <nlohmann/json.hpp>

namespace feedwatch::deliver {
namespace {

using nlohmann::json;

constexpr std::string_view k_list_path = "/api/v1/alerts";
constexpr std::string_view k_requeue_path = "/api/v1/alerts/requeue";

ApiResponse reply(int status, const json& value)
{
    return ApiResponse{status, value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"};
}

ApiResponse error(int status, std::string message)
{
    return reply(status, json{{"error", std::move(message)}});
}

std::string query_value(std::string_view query, std::string_view name)
{
    while (!query.empty()) {
        const std::size_t end = std::min(query.find('&'), query.size());
        const std::string_view pair = query.substr(0, end);
        if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
            return std::string(pair.substr(name.size() + 1));
        }
        query.remove_prefix(std::min(end + 1, query.size()));
    }
    return {};
}

json describe(const store::QueuedAlert& row, std::string_view state)
{
    const model::OutboxEntry& entry = row.entry;
    const json payload = json::parse(entry.body, nullptr, false);
    std::string title;
    std::string link;
    if (!payload.is_discarded() && payload.is_object() && payload.contains("data") && payload["data"].is_object()) {
        const json& article = payload["data"].value("article", json::object());
        if (article.is_object()) {
            title = article.value("title", "");
            link = article.value("link", "");
        }
    }
    json out = {{"id", entry.webhook_id},
                {"state", state},
                {"webhook", entry.webhook},
                {"watchlist", entry.watchlist},
                {"article_id", entry.article_id},
                {"title", title},
                {"link", link},
                {"created", core::format_rfc3339(entry.created)},
                {"attempts", entry.attempts}};
    if (state == "pending") {
        out["next_attempt"] = core::format_rfc3339(entry.next_attempt);
    }
    return out;
}

}  // namespace

bool is_alerts_api(std::string_view target)
{
    const std::string_view path = target.substr(0, target.find('?'));
    return path == k_list_path || path == k_requeue_path;
}

ApiResponse handle_alerts_api(store::Store& store, Deliverer& deliverer, std::string_view method,
                              std::string_view target, std::string_view body)
{
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    if (path == k_list_path) {
        if (method != "GET") {
            return error(405, "use GET");
        }
        std::string state = query_value(query, "state");
        if (state.empty()) {
            state = "pending";
        }
        if (state != "pending" && state != "dead") {
            return error(400, "state must be pending or dead");
        }
        auto rows = state == "pending" ? store.outbox_all() : store.dead_all();
        if (!rows) {
            return error(500, rows.error().detail);
        }
        json alerts = json::array();
        for (const store::QueuedAlert& row : *rows) {
            alerts.push_back(describe(row, state));
        }
        return reply(200, json{{"state", state}, {"alerts", std::move(alerts)}});
    }
    if (path == k_requeue_path) {
        if (method != "POST") {
            return error(405, "use POST");
        }
        const json request = json::parse(body, nullptr, false);
        if (request.is_discarded() || !request.is_object()) {
            return error(400, "expected a JSON object {\"id\":…} or {\"dead\":true}");
        }
        std::size_t count = 0;
        if (request.contains("id") && request["id"].is_string()) {
            const std::string id = request["id"].get<std::string>();
            auto requeued = store.requeue(id, core::now());
            if (!requeued) {
                return error(500, requeued.error().detail);
            }
            if (!*requeued) {
                return error(404, "no pending or dead alert has id " + id);
            }
            count = 1;
        } else if (request.value("dead", false)) {
            auto requeued = store.requeue_dead(core::now());
            if (!requeued) {
                return error(500, requeued.error().detail);
            }
            count = *requeued;
        } else {
            return error(400, "expected a JSON object {\"id\":…} or {\"dead\":true}");
        }
        deliverer.wake();
        return reply(200, json{{"requeued", count}});
    }
    return error(404, "not found");
}

}  // namespace feedwatch::deliver
