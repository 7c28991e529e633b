#include "store/stories.hpp"

#include <memory>

#include <rocksdb/db.h>

#include "store/story_index.hpp"

namespace feedwatch::store {
namespace {

core::Result<std::optional<StoryRecord>> read_story(rocksdb::DB& db, const std::string& id)
{
    std::string text;
    const rocksdb::Status status = db.Get(rocksdb::ReadOptions{}, story_index::story_key(id), &text);
    if (status.IsNotFound()) {
        return std::optional<StoryRecord>{};
    }
    if (!status.ok()) {
        return core::fail(core::ErrorCode::store, "read story " + id + ": " + status.ToString());
    }
    auto decoded = story_index::decode_story(id, text);
    if (!decoded) {
        return tl::unexpected(decoded.error());
    }
    return std::optional<StoryRecord>{std::move(*decoded)};
}

std::string sequence_text(std::uint64_t sequence)
{
    std::string digits = std::to_string(sequence);
    return std::string(20 - std::min<std::size_t>(20, digits.size()), '0') + digits;
}

}  // namespace

core::Result<std::vector<StoryRecord>> stories_newest(const Store& store, const StoryFilter& filter)
{
    rocksdb::DB& db = store.database();
    const std::string prefix = filter.watchlist.empty() ? std::string(story_index::k_story_order_prefix)
                                                        : story_index::watchlist_prefix(filter.watchlist);
    // Newest first: from just below the cursor (or the end of the prefix) backwards.
    const std::string start = filter.before_sequence == 0
                                  ? prefix.substr(0, prefix.size() - 1) + static_cast<char>('/' + 1)
                                  : prefix + sequence_text(filter.before_sequence);
    std::vector<StoryRecord> stories;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions{}));
    const rocksdb::Slice prefix_slice(prefix);
    for (it->SeekForPrev(start); it->Valid() && it->key().starts_with(prefix_slice) && stories.size() < filter.limit;
         it->Prev()) {
        if (it->key().ToStringView() == start) {
            continue;  // the cursor itself: strictly older only
        }
        auto found = read_story(db, it->value().ToString());
        if (!found) {
            return tl::unexpected(found.error());
        }
        if (!*found) {
            continue;
        }
        if (filter.since && (*found)->first_seen < *filter.since) {
            break;  // the index is in the order stories were first seen: everything further is older
        }
        stories.push_back(std::move(**found));
    }
    if (!it->status().ok()) {
        return core::fail(core::ErrorCode::store, "walk stories: " + it->status().ToString());
    }
    return stories;
}

core::Result<std::optional<StoryRecord>> story(const Store& store, const std::string& id)
{
    return read_story(store.database(), id);
}

core::Result<std::vector<model::Article>> story_articles(const Store& store, const std::string& id, std::size_t limit)
{
    const std::string prefix = story_index::story_articles_prefix(id);
    std::vector<std::string> ids;
    {
        std::unique_ptr<rocksdb::Iterator> it(store.database().NewIterator(rocksdb::ReadOptions{}));
        const rocksdb::Slice prefix_slice(prefix);
        for (it->Seek(prefix_slice); it->Valid() && it->key().starts_with(prefix_slice) && ids.size() < limit;
             it->Next()) {
            ids.push_back(it->value().ToString());
        }
        if (!it->status().ok()) {
            return core::fail(core::ErrorCode::store, "walk articles of story " + id + ": " + it->status().ToString());
        }
    }
    std::vector<model::Article> articles;
    articles.reserve(ids.size());
    for (const std::string& article_id : ids) {
        auto article = store.article(article_id);
        if (!article) {
            return tl::unexpected(article.error());
        }
        if (*article) {
            articles.push_back(std::move(**article));
        }
    }
    return articles;
}

}  // namespace feedwatch::store
