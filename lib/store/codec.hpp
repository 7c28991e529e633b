#pragma once
// Row (de)serialisation for the store: JSON text via nlohmann-json, instants as Unix
// seconds. Internal to the store stage.
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "model/article.hpp"
#include "store/store.hpp"

namespace feedwatch::store::codec {

// Encoders never throw: invalid UTF-8 in any string is replaced by U+FFFD.
std::string encode_article(const model::Article& article);
std::string encode_feed_state(const FeedState& state);
std::string encode_outbox_entry(const model::OutboxEntry& entry);

// Decoders fail with ErrorCode::store when text is not the JSON this stage wrote.
core::Result<model::Article> decode_article(std::string_view text);
core::Result<FeedState> decode_feed_state(std::string_view text);
core::Result<model::OutboxEntry> decode_outbox_entry(std::string_view text);

}  // namespace feedwatch::store::codec
