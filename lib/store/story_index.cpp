#include "store/story_index.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/digest.hpp"
#include "model/outlet.hpp"

namespace feedwatch::store::story_index {
namespace {

using nlohmann::json;

std::string sequence_text(std::uint64_t sequence)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%020" PRIu64, sequence);
    return buffer;
}

std::vector<std::string> strings_at(const json& row, const char* name)
{
    std::vector<std::string> values;
    const auto found = row.find(name);
    if (found == row.end() || !found->is_array()) {
        return values;
    }
    for (const json& value : *found) {
        if (value.is_string()) {
            values.push_back(value.get<std::string>());
        }
    }
    return values;
}

void add_distinct(std::vector<std::string>& values, const std::string& value, std::size_t max)
{
    if (values.size() < max && std::find(values.begin(), values.end(), value) == values.end()) {
        values.push_back(value);
    }
}

}  // namespace

std::string story_key(std::string_view story)
{
    return std::string(k_story_prefix).append(story);
}

std::string story_articles_prefix(std::string_view story)
{
    return std::string(k_story_articles_prefix).append(story).append("/");
}

std::string watchlist_prefix(std::string_view watchlist)
{
    return "Z/" + core::sha256_hex(watchlist).substr(0, 32) + "/";
}

std::string encode_story(const StoryRecord& story)
{
    const json row = {{"sequence", story.sequence},
                      {"first_seen", story.first_seen.time_since_epoch().count()},
                      {"last_seen", story.last_seen.time_since_epoch().count()},
                      {"title", story.title},
                      {"articles", story.articles},
                      {"outlets", story.outlets},
                      {"watchlists", story.watchlists}};
    return row.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<StoryRecord> decode_story(std::string_view id, std::string_view text)
{
    const json row = json::parse(text, nullptr, false);
    if (row.is_discarded() || !row.is_object() || !row.contains("sequence") || !row["sequence"].is_number_unsigned()) {
        return core::fail(core::ErrorCode::store, "story row " + std::string(id) + " is not a story");
    }
    StoryRecord story;
    story.id = std::string(id);
    story.sequence = row["sequence"].get<std::uint64_t>();
    story.first_seen = core::Instant{std::chrono::seconds{row.value("first_seen", std::int64_t{0})}};
    story.last_seen = core::Instant{std::chrono::seconds{row.value("last_seen", std::int64_t{0})}};
    if (row.contains("title") && row["title"].is_string()) {
        story.title = row["title"].get<std::string>();
    }
    story.articles = row.value("articles", std::size_t{0});
    story.outlets = strings_at(row, "outlets");
    story.watchlists = strings_at(row, "watchlists");
    return story;
}

core::Result<void> add_stories(rocksdb::DB& db, rocksdb::WriteBatch& batch, const std::vector<model::Article>& articles,
                               std::uint64_t first_article_sequence, const std::vector<StoryAlerted>& alerted,
                               std::uint64_t& next_story_sequence)
{
    std::map<std::string, StoryRecord> touched;  // by id: read once, written once
    auto load = [&](const std::string& id) -> core::Result<StoryRecord*> {
        if (const auto found = touched.find(id); found != touched.end()) {
            return &found->second;
        }
        std::string text;
        const rocksdb::Status status = db.Get(rocksdb::ReadOptions{}, story_key(id), &text);
        if (status.IsNotFound()) {
            return nullptr;
        }
        if (!status.ok()) {
            return core::fail(core::ErrorCode::store, "read story " + id + ": " + status.ToString());
        }
        auto decoded = decode_story(id, text);
        if (!decoded) {
            return tl::unexpected(decoded.error());
        }
        return &touched.emplace(id, std::move(*decoded)).first->second;
    };
    std::uint64_t article_sequence = first_article_sequence;
    for (const model::Article& article : articles) {
        const std::uint64_t sequence = article_sequence++;
        if (article.story.empty()) {
            continue;
        }
        auto found = load(article.story);
        if (!found) {
            return tl::unexpected(found.error());
        }
        StoryRecord* story = *found;
        if (story == nullptr) {
            story = &touched[article.story];
            story->id = article.story;
            story->sequence = next_story_sequence++;
            story->first_seen = article.first_seen;
            story->title = article.item.title;
            batch.Put("z/" + sequence_text(story->sequence), story->id);
        }
        story->last_seen = std::max(story->last_seen, article.first_seen);
        ++story->articles;
        add_distinct(story->outlets, model::outlet_of(article), k_max_outlets);
        batch.Put(story_articles_prefix(story->id) + sequence_text(sequence), article.id);
    }
    for (const StoryAlerted& first : alerted) {
        auto found = load(first.story);
        if (!found) {
            return tl::unexpected(found.error());
        }
        if (*found == nullptr) {
            continue;  // a story without articles in the store: nothing to list it with
        }
        StoryRecord& story = **found;
        if (std::find(story.watchlists.begin(), story.watchlists.end(), first.watchlist) == story.watchlists.end()) {
            story.watchlists.push_back(first.watchlist);
            batch.Put(watchlist_prefix(first.watchlist) + sequence_text(story.sequence), story.id);
        }
    }
    for (const auto& [id, story] : touched) {
        batch.Put(story_key(id), encode_story(story));
    }
    return {};
}

}  // namespace feedwatch::store::story_index
