#pragma once
// Internal to the store stage: the rows that the stories API reads, written by Store::commit
// in the poll's WriteBatch, so that a story's listing never disagrees with its articles.
//   y/<story id>                          story row JSON: sequence, first_seen, last_seen,
//                                         title (of its first article), articles, outlets,
//                                         watchlists (those that alerted on it)
//   Y/<story id>/<article sequence:020>   article id: the story's articles in arrival order
//   z/<story sequence:020>                story id: stories in the order the store first saw them
//   Z/<sha256(watchlist):32>/<story sequence:020>   story id: the stories a watchlist alerted on
// A listing reads only the rows it returns (no scan of articles or of other watchlists).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "core/result.hpp"
#include "model/article.hpp"
#include "store/stories.hpp"
#include "store/store.hpp"

namespace feedwatch::store::story_index {

inline constexpr std::string_view k_story_prefix = "y/";
inline constexpr std::string_view k_story_articles_prefix = "Y/";
inline constexpr std::string_view k_story_order_prefix = "z/";
inline constexpr std::size_t k_max_outlets = 64;  // outlets kept per story row

std::string story_key(std::string_view story);
std::string story_articles_prefix(std::string_view story);
// "Z/<sha256(watchlist):32>/": hashed because a watchlist name may hold any character.
std::string watchlist_prefix(std::string_view watchlist);

std::string encode_story(const StoryRecord& story);
// The story row of id; fails when text is not one.
core::Result<StoryRecord> decode_story(std::string_view id, std::string_view text);

// Adds the rows of the articles' stories (articles without a story are skipped) and of the
// first alerts in alerted. first_article_sequence is the article order sequence
// (history::add_articles) of articles.front(); next_story_sequence advances for every story
// seen for the first time. Reads the stories' current rows from db; call under the store's
// write lock so that no other commit changes them meanwhile. Fails on a read error or a
// corrupt story row.
core::Result<void> add_stories(rocksdb::DB& db, rocksdb::WriteBatch& batch, const std::vector<model::Article>& articles,
                               std::uint64_t first_article_sequence, const std::vector<StoryAlerted>& alerted,
                               std::uint64_t& next_story_sequence);

}  // namespace feedwatch::store::story_index
