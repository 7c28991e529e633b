#include "deliver/payload.hpp"

#include <nlohmann/json.hpp>

namespace feedwatch::deliver {

std::string_view cut_utf8(std::string_view text, std::size_t max_bytes)
{
    if (text.size() <= max_bytes) {
        return text;
    }
    std::size_t end = max_bytes;
    // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
        --end;
    }
    return text.substr(0, end);
}

namespace {

using nlohmann::json;

json payload_of(std::string_view watchlist, const model::Article& article, const std::vector<model::Match>& matches,
                core::Instant timestamp)
{
    const std::string& plain = article.item.text.empty() ? article.item.summary : article.item.text;
    json match_list = json::array();
    for (const model::Match& match : matches) {
        match_list.push_back({{"term", match.term}, {"field", match.field}, {"snippet", match.snippet}});
    }
    return {
        {"type", "watchlist.match"},
        {"timestamp", core::format_rfc3339(timestamp)},
        {"data",
         {{"watchlist", watchlist},
          {"article",
           {{"id", article.id},
            {"title", article.item.title},
            {"link", article.item.link},
            {"published", article.item.published ? core::format_rfc3339(*article.item.published) : std::string{}},
            {"author", article.item.author},
            {"summary", cut_utf8(plain, k_max_summary_bytes)},
            {"feed", {{"url", article.feed.url}, {"title", article.feed.title}}}}},
          {"matches", match_list}}},
    };
}

std::string dump(const json& payload)
{
    // Replace, not throw, on invalid UTF-8 (nlohmann type_error.316).
    return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string render_json_payload(std::string_view watchlist, const model::Article& article,
                                const std::vector<model::Match>& matches, core::Instant timestamp)
{
    return dump(payload_of(watchlist, article, matches, timestamp));
}

std::string render_json_payload(std::string_view watchlist, const model::Article& article,
                                const std::vector<model::Match>& matches, core::Instant timestamp,
                                const StoryAlert& story)
{
    json payload = payload_of(watchlist, article, matches, timestamp);
    payload["type"] = story.type == AlertType::match ? "watchlist.match" : "watchlist.update";
    payload["data"]["story"] = {{"id", story.id},
                                {"first_seen", core::format_rfc3339(story.first_seen)},
                                {"articles", story.articles},
                                {"outlets", story.outlets}};
    return dump(payload);
}

}  // namespace feedwatch::deliver
