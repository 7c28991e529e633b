#pragma once
// Stories as the API shows them (GET /api/v1/stories and /api/v1/stories/{id}).
#include <vector>

#include <nlohmann/json.hpp>

#include "model/article.hpp"
#include "store/stories.hpp"

namespace feedwatch::api {

// {"id","first_seen","last_seen","title","articles":N,"outlets":[…],"watchlists":[…]}
// (first_seen and last_seen RFC 3339; title is the first article's).
nlohmann::json story_json(const store::StoryRecord& story);

// story_json(story) plus "reports":[{"id","title","link","published","first_seen","outlet",
// "feed":{"url","title"}}], the articles in arrival order.
nlohmann::json story_detail_json(const store::StoryRecord& story, const std::vector<model::Article>& articles);

}  // namespace feedwatch::api
