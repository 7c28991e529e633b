#pragma once
// The webhook body for one watchlist match. Rendered once, when the alert is created, and
// stored in the outbox, so that retries send the same bytes.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "model/article.hpp"

namespace feedwatch::deliver {

// Longest summary in a payload, in bytes.
inline constexpr std::size_t k_max_summary_bytes = 1024;

// The first matching article of a story for a watchlist is its match; later ones are updates.
enum class AlertType { match, update };

// The story an alerted article belongs to, as it stands with that article in it.
struct StoryAlert {
    AlertType type = AlertType::match;
    std::string id;
    core::Instant first_seen;
    std::size_t articles = 0;
    std::vector<std::string> outlets;
};

// Compact JSON of this shape (every key always present; strings may be empty):
//   {"type":"watchlist.match","timestamp":"<RFC 3339>",
//    "data":{"watchlist":"…",
//            "article":{"id","title","link","published","author","summary","feed":{"url","title"}},
//            "matches":[{"term","field","snippet"}]}}
// `published` is RFC 3339 or "" when unknown. `summary` is article.item.text (or
// item.summary when text is empty) cut to k_max_summary_bytes on a UTF-8 boundary.
// Invalid UTF-8 anywhere becomes U+FFFD. Never throws on input data.
std::string render_json_payload(std::string_view watchlist, const model::Article& article,
                                const std::vector<model::Match>& matches, core::Instant timestamp);
// The same with story grouping on: "type" is "watchlist.match" or "watchlist.update" after
// story.type, and data gains
//   "story":{"id":"…","first_seen":"<RFC 3339>","articles":N,"outlets":["…"]}
std::string render_json_payload(std::string_view watchlist, const model::Article& article,
                                const std::vector<model::Match>& matches, core::Instant timestamp,
                                const StoryAlert& story);

// The longest prefix of text of at most max_bytes bytes that does not split a UTF-8 sequence.
std::string_view cut_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace feedwatch::deliver
