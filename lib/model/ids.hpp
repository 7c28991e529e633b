#pragma once
// The identifiers that must never change between versions (see core/digest.hpp).
#include <string>
#include <string_view>

namespace feedwatch::model {

// 32 hex characters derived from the feed URL and the item id.
std::string article_id(std::string_view feed_url, std::string_view item_id);

// "msg_" + 32 hex characters derived from (watchlist, webhook, article id). Stable forever:
// the receiver deduplicates on it.
std::string webhook_id(std::string_view watchlist, std::string_view webhook, std::string_view article_id);

}  // namespace feedwatch::model
