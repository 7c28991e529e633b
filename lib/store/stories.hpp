#pragma once
// Read-only story listings for the HTTP API (rows of store/story_index.hpp). Each call reads
// a bounded number of rows: a listing walks its index newest first and stops at limit.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "model/article.hpp"
#include "store/store.hpp"

namespace feedwatch::store {

// A story as the store knows it: what its committed articles and alerts made of it.
struct StoryRecord {
    std::uint64_t sequence = 0;  // increasing in the order the store first saw the stories
    std::string id;
    core::Instant first_seen;
    core::Instant last_seen;
    std::string title;            // of its first article
    std::size_t articles = 0;
    std::vector<std::string> outlets;     // distinct, in order of first report
    std::vector<std::string> watchlists;  // that alerted on it, in order of first alert
};

struct StoryFilter {
    std::string watchlist;               // empty: all stories; else those it alerted on
    std::optional<core::Instant> since;  // first seen at or after
    std::uint64_t before_sequence = 0;   // 0: from the newest; else only older than this
    std::size_t limit = 50;
};

// Stories newest first (by the order the store first saw them), at most filter.limit.
// Fails on a read error or a corrupt row.
core::Result<std::vector<StoryRecord>> stories_newest(const Store& store, const StoryFilter& filter);

// The story with this id; nullopt when the store has none.
core::Result<std::optional<StoryRecord>> story(const Store& store, const std::string& id);

// The story's articles in arrival order, at most limit (the first ones). An article whose row
// is missing is left out. Fails on a read error or a corrupt row.
core::Result<std::vector<model::Article>> story_articles(const Store& store, const std::string& id,
                                                         std::size_t limit);

}  // namespace feedwatch::store
