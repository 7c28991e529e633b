#pragma once
// Internal to the store stage: the rows that the API's listings read, written by
// Store::commit in the poll's WriteBatch.
//   l/<sequence:020>   alert history row JSON (store/queries.hpp AlertRecord), never removed
//   L/<sha256(watchlist):32>/<sequence:020>   empty: the watchlist's history rows, so that a
//                      listing filtered by watchlist reads only those (a rare watchlist's
//                      alerts may be spread over the whole history)
//   m/watchlist-index  present once every history row has its L/ entry
//   t/<sequence:020>   article id, in commit order (newest last)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "core/result.hpp"
#include "model/article.hpp"

namespace feedwatch::store::history {

inline constexpr std::string_view k_alert_prefix = "l/";
inline constexpr std::string_view k_article_order_prefix = "t/";
inline constexpr std::string_view k_watchlist_index_done = "m/watchlist-index";

// "L/<sha256(watchlist):32>/": the prefix of the watchlist's index entries. Hashed because a
// watchlist name may hold any character, '/' included.
std::string watchlist_prefix(std::string_view watchlist);

// Adds the L/ entries of history rows written before the index existed, once per store (then
// marks it done); call at open, before any commit. Fails on a read or write error.
core::Result<void> index_existing_alerts(rocksdb::DB& db);

// The highest sequence under prefix, 0 when none.
std::uint64_t last_sequence(rocksdb::DB& db, std::string_view prefix);

// One history row per (watchlist, article) among queued; the row's webhooks are the queued
// entries of that pair. The article fields and matches come from the rendered JSON payload.
void add_alerts(rocksdb::WriteBatch& batch, const std::vector<const model::OutboxEntry*>& queued,
                std::uint64_t& next_sequence);
void add_articles(rocksdb::WriteBatch& batch, const std::vector<model::Article>& articles,
                  std::uint64_t& next_sequence);

}  // namespace feedwatch::store::history
