#pragma once
// Webhook body formats. The outbox stores the JSON payload (payload.hpp); chat services get
// it rendered into the shape their incoming webhooks accept, at send time, so that one row
// serves any format and a reload that changes the format applies to queued alerts too.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace feedwatch::deliver {

enum class Format {
    json,     // the payload of payload.hpp, unchanged
    slack,    // {"text":…,"blocks":[…]} (Slack incoming webhooks, Block Kit)
    discord,  // {"content":…,"embeds":[…]} (Discord webhook "Execute Webhook")
    teams,    // {"type":"message","attachments":[Adaptive Card]} (Teams Workflows / incoming webhook)
};

// "json", "slack", "discord", "teams"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view text);
std::string_view to_string(Format format) noexcept;

// Most alerts combined into one digest message.
inline constexpr std::size_t k_max_digest_alerts = 25;

// json_payload rendered for format (title, link, watchlist, snippet). json returns the payload
// unchanged; a payload that is not the JSON of payload.hpp is sent as its text. Never throws.
std::string render_for(Format format, std::string_view json_payload);

// One digest message for several alerts (the JSON payloads of their outbox rows, with their
// webhook-ids), used when a webhook's max_per_minute is reached:
//   json: {"type":"watchlist.digest","timestamp":…,"data":{"count":N,
//          "alerts":[{"id":<webhook-id>,"watchlist":…,"article":{…},"matches":[…]}]}}
//   slack/discord/teams: a list of titles with links and watchlists.
struct DigestItem {
    std::string webhook_id;
    std::string json_payload;
};
std::string render_digest(Format format, const std::vector<DigestItem>& items, core::Instant timestamp);

// One message for the watchlist.update alerts of one story that a webhook with
// story_updates = "digest" collected over its digest interval, in creation order:
//   json: {"type":"watchlist.story_digest","timestamp":…,"data":{"story":{…as of the last
//          report},"count":N,"alerts":[{"id":<webhook-id>,"watchlist":…,"article":{…},…}]}}
//   slack/discord/teams: "+N reports on a story (X reports from M outlets)" and the list of
//          titles with links and watchlists (the latest k_max_digest_alerts when more).
std::string render_story_digest(Format format, const std::vector<DigestItem>& items, core::Instant timestamp);

}  // namespace feedwatch::deliver
