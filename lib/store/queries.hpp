#pragma once
// Read-only listings for the HTTP API: alert history newest first with delivery state,
// articles newest first, feed states. Each call reads a bounded number of rows.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "model/article.hpp"
#include "store/store.hpp"

namespace feedwatch::store {

// One alert: a watchlist matched an article. Written with its outbox rows, in the same
// WriteBatch, once per (watchlist, article), and never removed by delivery.
struct AlertRecord {
    std::uint64_t sequence = 0;  // increasing in commit order; the SSE event id
    std::string watchlist;
    std::string article_id;
    core::Instant created;
    std::string title;
    std::string link;
    std::optional<core::Instant> published;
    std::string feed_url;
    std::string feed_title;
    std::vector<model::Match> matches;
    std::vector<std::pair<std::string, std::string>> webhooks;  // (webhook name, webhook-id)
    std::string story;  // id of the article's story; empty when grouping was off
};

enum class DeliveryState { pending, delivered, dead };
const char* to_string(DeliveryState state);

struct AlertDelivery {
    std::string webhook;
    std::string webhook_id;
    DeliveryState state = DeliveryState::pending;
    int attempts = 0;                          // pending and dead rows
    std::optional<core::Instant> next_attempt;  // pending rows
};

struct AlertFilter {
    std::string watchlist;                  // empty: all
    std::optional<core::Instant> since;     // created at or after
    std::uint64_t before_sequence = 0;      // 0: from the newest; else only older than this
    std::size_t limit = 100;
};

// Newest first, at most filter.limit.
core::Result<std::vector<AlertRecord>> alerts_newest(const Store& store, const AlertFilter& filter);

enum class Walk { more, stop };
// Visits the stored history rows newest first, strictly older than before_sequence (0: from
// the newest), undecoded, until visit returns Walk::stop or the history ends. For callers that
// keep what they decoded by sequence: a row never changes once written. The row text is valid
// only during the call. Fails on a read error (visit has then seen the rows before it).
core::Result<void> walk_alerts_newest(const Store& store, std::uint64_t before_sequence,
                                      const std::function<Walk(std::uint64_t sequence, std::string_view row)>& visit);
// The sequences of the watchlist's history rows, newest first, strictly older than
// before_sequence (0: from the newest), at most limit, from the watchlist index (the rows
// themselves are not read).
core::Result<std::vector<std::uint64_t>> alert_sequences_of(const Store& store, std::string_view watchlist,
                                                            std::uint64_t before_sequence, std::size_t limit);
// The text of one history row; nullopt when no row has this sequence.
core::Result<std::optional<std::string>> alert_row(const Store& store, std::uint64_t sequence);
// Decodes one history row as walk_alerts_newest passes it; fails when it is not a row.
core::Result<AlertRecord> decode_alert(std::uint64_t sequence, std::string_view row);

// Oldest first, sequence > after, at most limit (for SSE resumption).
core::Result<std::vector<AlertRecord>> alerts_after(const Store& store, std::uint64_t after, std::size_t limit);
// Highest sequence written so far; 0 when none.
core::Result<std::uint64_t> last_alert_sequence(const Store& store);
// Delivery state of each webhook of record: the outbox index says pending or dead; an alert
// whose index entry is gone was delivered.
core::Result<std::vector<AlertDelivery>> deliveries(const Store& store, const AlertRecord& record);
using Webhooks = std::vector<std::pair<std::string, std::string>>;  // (webhook name, webhook-id)
// The same for a record's webhooks alone, in their order.
core::Result<std::vector<AlertDelivery>> deliveries(const Store& store, const Webhooks& webhooks);
// The same for many alerts in one batched read: element i for alerts[i].
core::Result<std::vector<std::vector<AlertDelivery>>> deliveries(const Store& store,
                                                                 const std::vector<const Webhooks*>& alerts);

struct ArticleFilter {
    std::string feed_url;               // empty: all
    std::optional<core::Instant> since;  // first seen at or after
    std::uint64_t before = 0;           // cursor from ArticlePage::next; 0: from the newest
    std::size_t limit = 50;
    std::size_t max_scanned = 20000;  // rows examined per call, whatever keep decides
};

struct ArticlePage {
    std::vector<model::Article> articles;
    std::size_t scanned = 0;
    std::uint64_t next = 0;  // pass as before to continue; 0 when the end was reached
};

// Articles by first-seen time, newest first, that keep accepts (keep may be empty).
core::Result<ArticlePage> articles_newest(const Store& store, const ArticleFilter& filter,
                                          const std::function<bool(const model::Article&)>& keep);

// Articles committed after article sequence after_sequence (StorySnapshot::article_sequence)
// and first seen at or after since, oldest first (commit order): what a story grouper restored
// from a snapshot must assign again. Reads newest first and stops at the first article older
// than since, so a long history costs only its recent part. Fails on a read error or a
// corrupt row.
core::Result<std::vector<model::Article>> articles_after(const Store& store, std::uint64_t after_sequence,
                                                         core::Instant since);

// Every stored feed state, by URL.
core::Result<std::vector<std::pair<std::string, FeedState>>> feed_states(const Store& store);

}  // namespace feedwatch::store
