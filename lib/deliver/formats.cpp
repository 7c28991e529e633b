#include "deliver/formats.hpp"

#include <nlohmann/json.hpp>

#include "deliver/payload.hpp"

namespace feedwatch::deliver {
namespace {

using nlohmann::json;

// Text limits of the services: Slack section text 3000, Discord content 2000 and embed
// description 4096, embed title 256. Snippets and titles are cut well below them.
constexpr std::size_t k_max_title = 250;
constexpr std::size_t k_max_snippet = 500;

std::string dump(const json& value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct Alert {
    std::string watchlist;
    std::string title;
    std::string link;
    std::string feed_title;
    std::string snippet;
    std::string published;
};

std::string cut(std::string_view text, std::size_t max_bytes)
{
    if (text.size() <= max_bytes) {
        return std::string(text);
    }
    return std::string(cut_utf8(text, max_bytes)) + "\xE2\x80\xA6";  // …
}

std::string string_at(const json& object, const char* name)
{
    if (!object.is_object()) {
        return {};
    }
    const auto found = object.find(name);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

std::optional<Alert> alert_of(std::string_view payload)
{
    const json parsed = json::parse(payload, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("data")) {
        return std::nullopt;
    }
    const json& data = parsed["data"];
    const json article = data.is_object() && data.contains("article") ? data["article"] : json::object();
    Alert alert;
    alert.watchlist = string_at(data, "watchlist");
    alert.title = cut(string_at(article, "title"), k_max_title);
    if (alert.title.empty()) {
        alert.title = "(untitled)";
    }
    alert.link = string_at(article, "link");
    alert.feed_title = string_at(article.contains("feed") ? article["feed"] : json::object(), "title");
    alert.published = string_at(article, "published");
    std::string snippet;
    if (data.contains("matches") && data["matches"].is_array() && !data["matches"].empty()) {
        snippet = string_at(data["matches"][0], "snippet");
    }
    if (snippet.empty()) {
        snippet = string_at(article, "summary");
    }
    alert.snippet = cut(snippet, k_max_snippet);
    return alert;
}

// Slack mrkdwn: &, < and > are control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
std::string slack_escape(std::string_view text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

std::string slack_link(const Alert& alert)
{
    if (alert.link.empty()) {
        return "*" + slack_escape(alert.title) + "*";
    }
    return "*<" + alert.link + "|" + slack_escape(alert.title) + ">*";
}

std::string plain_line(const Alert& alert)
{
    return "[" + alert.watchlist + "] " + alert.title + (alert.link.empty() ? "" : " " + alert.link);
}

std::string render_slack(const Alert& alert)
{
    std::string text = slack_link(alert) + "\n_" + slack_escape(alert.watchlist) + "_";
    if (!alert.feed_title.empty()) {
        text += " \xC2\xB7 " + slack_escape(alert.feed_title);
    }
    if (!alert.snippet.empty()) {
        text += "\n" + slack_escape(alert.snippet);
    }
    const json body = {{"text", plain_line(alert)},
                       {"blocks", json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}}})}};
    return dump(body);
}

json discord_embed(const Alert& alert)
{
    json embed = {{"title", alert.title},
                  {"description", alert.snippet},
                  {"footer", {{"text", "feedwatch \xC2\xB7 " + alert.watchlist}}}};
    if (!alert.link.empty()) {
        embed["url"] = alert.link;
    }
    if (!alert.feed_title.empty()) {
        embed["author"] = {{"name", cut(alert.feed_title, 250)}};
    }
    if (!alert.published.empty()) {
        embed["timestamp"] = alert.published;
    }
    return embed;
}

std::string render_discord(const Alert& alert)
{
    const json body = {{"content", cut(plain_line(alert), 1900)}, {"embeds", json::array({discord_embed(alert)})}};
    return dump(body);
}

json teams_card(json body_blocks, const std::string& link)
{
    json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                 {"type", "AdaptiveCard"},
                 {"version", "1.4"},
                 {"body", std::move(body_blocks)}};
    if (!link.empty()) {
        card["actions"] = json::array({{{"type", "Action.OpenUrl"}, {"title", "Open article"}, {"url", link}}});
    }
    return {{"type", "message"},
            {"attachments",
             json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"}, {"content", std::move(card)}}})}};
}

std::string render_teams(const Alert& alert)
{
    json blocks = json::array();
    blocks.push_back({{"type", "TextBlock"}, {"text", alert.title}, {"weight", "Bolder"}, {"size", "Medium"}, {"wrap", true}});
    std::string subtitle = alert.watchlist + (alert.feed_title.empty() ? "" : " \xC2\xB7 " + alert.feed_title);
    blocks.push_back({{"type", "TextBlock"}, {"text", subtitle}, {"isSubtle", true}, {"spacing", "None"}, {"wrap", true}});
    if (!alert.snippet.empty()) {
        blocks.push_back({{"type", "TextBlock"}, {"text", alert.snippet}, {"wrap", true}});
    }
    return dump(teams_card(std::move(blocks), alert.link));
}

}  // namespace

std::optional<Format> parse_format(std::string_view text)
{
    for (Format format : {Format::json, Format::slack, Format::discord, Format::teams}) {
        if (text == to_string(format)) {
            return format;
        }
    }
    return std::nullopt;
}

std::string_view to_string(Format format) noexcept
{
    switch (format) {
    case Format::json:
        return "json";
    case Format::slack:
        return "slack";
    case Format::discord:
        return "discord";
    case Format::teams:
        return "teams";
    }
    return "json";
}

std::string render_for(Format format, std::string_view json_payload)
{
    if (format == Format::json) {
        return std::string(json_payload);
    }
    const std::optional<Alert> alert = alert_of(json_payload);
    if (!alert) {
        const Alert raw{"", cut(json_payload, k_max_snippet), "", "", "", ""};
        return format == Format::slack ? render_slack(raw) : format == Format::discord ? render_discord(raw) : render_teams(raw);
    }
    switch (format) {
    case Format::slack:
        return render_slack(*alert);
    case Format::discord:
        return render_discord(*alert);
    case Format::teams:
        return render_teams(*alert);
    case Format::json:
        break;
    }
    return std::string(json_payload);
}

namespace {

// A digest message: headline for people, type and extra data members for machines.
std::string render_list(Format format, const std::vector<DigestItem>& items, core::Instant timestamp,
                        const std::string& headline, const char* type, json extra)
{
    if (format == Format::json) {
        json alerts = json::array();
        for (const DigestItem& item : items) {
            const json parsed = json::parse(item.json_payload, nullptr, false);
            json data = !parsed.is_discarded() && parsed.is_object() && parsed.contains("data") ? parsed["data"]
                                                                                               : json::object();
            if (!data.is_object()) {
                data = json::object();
            }
            data["id"] = item.webhook_id;
            alerts.push_back(std::move(data));
        }
        json data = std::move(extra);
        data["count"] = items.size();
        data["alerts"] = std::move(alerts);
        const json body = {{"type", type}, {"timestamp", core::format_rfc3339(timestamp)}, {"data", std::move(data)}};
        return dump(body);
    }
    std::vector<Alert> alerts;
    for (const DigestItem& item : items) {
        alerts.push_back(alert_of(item.json_payload).value_or(Alert{"", "(unreadable alert)", "", "", "", ""}));
    }
    if (format == Format::slack) {
        json blocks = json::array({{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", cut(headline, 140)}}}}});
        for (const Alert& alert : alerts) {
            const std::string text = slack_link(alert) + "  _" + slack_escape(alert.watchlist) + "_";
            blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}});
        }
        return dump(json{{"text", headline}, {"blocks", std::move(blocks)}});
    }
    if (format == Format::discord) {
        std::string description;
        for (const Alert& alert : alerts) {
            std::string line = "\xE2\x80\xA2 " + (alert.link.empty() ? alert.title : "[" + cut(alert.title, 100) + "](" + alert.link + ")") +
                               " \xE2\x80\x94 " + alert.watchlist + "\n";
            description += cut(line, 150);
        }
        const json embed = {{"title", "feedwatch digest"}, {"description", cut(description, 4000)}};
        return dump(json{{"content", headline}, {"embeds", json::array({embed})}});
    }
    json blocks = json::array({{{"type", "TextBlock"}, {"text", headline}, {"weight", "Bolder"}, {"wrap", true}}});
    for (const Alert& alert : alerts) {
        const std::string text = (alert.link.empty() ? alert.title : "[" + alert.title + "](" + alert.link + ")") +
                                 " \xE2\x80\x94 " + alert.watchlist;
        blocks.push_back({{"type", "TextBlock"}, {"text", text}, {"wrap", true}, {"spacing", "Small"}});
    }
    return dump(teams_card(std::move(blocks), ""));
}

}  // namespace

std::string render_digest(Format format, const std::vector<DigestItem>& items, core::Instant timestamp)
{
    const std::string headline = std::to_string(items.size()) + " alerts (digest: this webhook's max_per_minute was reached)";
    return render_list(format, items, timestamp, headline, "watchlist.digest", json::object());
}

std::string render_story_digest(Format format, const std::vector<DigestItem>& items, core::Instant timestamp)
{
    // The story as it stands with the last report in: its payload was rendered last.
    json story = json::object();
    for (const DigestItem& item : items) {
        const json parsed = json::parse(item.json_payload, nullptr, false);
        if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("data") && parsed["data"].is_object() &&
            parsed["data"].contains("story") && parsed["data"]["story"].is_object()) {
            story = parsed["data"]["story"];
        }
    }
    const std::size_t outlets = story.contains("outlets") && story["outlets"].is_array() ? story["outlets"].size() : 0;
    std::string headline = "+" + std::to_string(items.size()) + (items.size() == 1 ? " report" : " reports") +
                           " on a story";
    if (story.contains("articles") && story["articles"].is_number_unsigned()) {
        headline += " (" + std::to_string(story["articles"].get<std::size_t>()) + " reports from " +
                    std::to_string(outlets) + (outlets == 1 ? " outlet)" : " outlets)");
    }
    if (format != Format::json && items.size() > k_max_digest_alerts) {
        // Chat services cap a message (Slack: 50 blocks): the headline counts them all, the
        // list shows the latest.
        const std::vector<DigestItem> latest(items.end() - k_max_digest_alerts, items.end());
        return render_list(format, latest, timestamp, headline + ", the latest " + std::to_string(latest.size()) + ":",
                           "watchlist.story_digest", json::object());
    }
    return render_list(format, items, timestamp, headline, "watchlist.story_digest", json{{"story", std::move(story)}});
}

}  // namespace feedwatch::deliver
