#include "api/story_json.hpp"

#include <optional>

#include "model/outlet.hpp"

namespace feedwatch::api {

using nlohmann::json;

json story_json(const store::StoryRecord& story)
{
    return json{{"id", story.id},
                {"first_seen", core::format_rfc3339(story.first_seen)},
                {"last_seen", core::format_rfc3339(story.last_seen)},
                {"title", story.title},
                {"articles", story.articles},
                {"outlets", story.outlets},
                {"watchlists", story.watchlists}};
}

json story_detail_json(const store::StoryRecord& story, const std::vector<model::Article>& articles)
{
    json detail = story_json(story);
    json reports = json::array();
    for (const model::Article& article : articles) {
        const auto& item = article.item;
        const std::optional<core::Instant> published = item.published ? item.published : item.updated;
        reports.push_back({{"id", article.id},
                           {"title", item.title},
                           {"link", item.link},
                           {"published", published ? json(core::format_rfc3339(*published)) : json(nullptr)},
                           {"first_seen", core::format_rfc3339(article.first_seen)},
                           {"outlet", model::outlet_of(article)},
                           {"feed", {{"url", article.feed.url}, {"title", article.feed.title}}}});
    }
    detail["reports"] = std::move(reports);
    return detail;
}

}  // namespace feedwatch::api
