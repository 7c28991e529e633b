#pragma once
// Durable state in RocksDB: articles, the seen index (feed + item id -> article), feed state
// and the alert outbox. The only RocksDB code. Calls block (disk); callers keep them short.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "model/article.hpp"

namespace rocksdb {
class DB;
}

namespace feedwatch::store {

struct FeedState {
    std::string etag;
    std::string last_modified;
    std::string title;
    std::optional<core::Instant> last_success;
    int consecutive_errors = 0;
    // Scheduling, kept across restarts (wall clock: the steady clock does not survive one).
    std::optional<core::Instant> next_poll;
    std::int64_t interval_seconds = 0;  // the interval in force; 0 until first computed
    std::string moved_to;  // URL after a permanent redirect (301/308); polled instead
    bool disabled = false;  // 410 Gone: not polled until the configuration changes the URL
    // The last poll, for the feeds listing: its outcome ("ok", "not_modified", "http_error",
    // "parse_error", ...; empty before the first), its HTTP status (0 without an exchange).
    std::string last_outcome;
    long last_status = 0;
    std::optional<core::Instant> last_poll;
    std::int64_t items_seen = 0;  // articles stored from this feed, all polls together
};

// A watchlist alerted on a story: later matches of that story for that watchlist are updates.
struct StoryAlerted {
    std::string watchlist;
    std::string story;
};

// Everything one poll changes, written in one WriteBatch: after a crash it is all there or
// none of it is.
struct PollCommit {
    std::string feed_url;
    FeedState state;
    std::vector<model::Article> articles;  // new ones only
    std::vector<model::OutboxEntry> outbox;
    std::vector<StoryAlerted> story_alerts;  // first alerts of a (watchlist, story) in this poll
    // The story grouper's state (story::Grouper::snapshot) once these articles are assigned;
    // saved as covering every article committed up to this batch. Absent: not due.
    std::optional<std::string> story_snapshot;
};

// The saved story grouper state and the last article it covers: articles with a higher
// article sequence (queries.hpp, articles_after) were assigned after it was taken.
struct StorySnapshot {
    std::uint64_t article_sequence = 0;
    std::string grouper;  // story::Grouper::snapshot() text
};

// An outbox row with its key ("o/..." pending, "d/..." dead).
struct QueuedAlert {
    std::string key;
    model::OutboxEntry entry;
};

// What the store keeps in memory about each pending row, so that the deliverer can choose
// rows and compute its next wake-up without reading the database.
struct OutboxMeta {
    std::string webhook;
    core::Instant created;
    core::Instant next_attempt;
    int attempts = 0;
    std::string digest;  // model::OutboxEntry::digest
};

// Pending rows of one webhook.
struct WebhookQueue {
    std::size_t pending = 0;
    core::Instant oldest_created;  // meaningful when pending > 0
};

class Store {
public:
    // Opens or creates the database under dir (created if missing).
    static core::Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir);
    ~Store();

    core::Result<std::optional<FeedState>> feed_state(const std::string& feed_url) const;
    // True when the item of this feed was stored before.
    core::Result<bool> seen(const std::string& feed_url, const std::string& item_id) const;
    core::Result<std::optional<model::Article>> article(const std::string& article_id) const;
    // Visible at once and safe against a process kill; a batch that creates alerts is also
    // fsynced by a background thread that covers many batches with one fsync (group commit).
    // Thread-safe, like every method here.
    core::Result<void> commit(const PollCommit& commit);
    // Blocks until everything written so far is fsynced (also done when the store closes).
    core::Result<void> sync();
    // True when a commit recorded story_alerts {watchlist, story}.
    core::Result<bool> story_alerted(const std::string& watchlist, const std::string& story) const;
    // The last saved story snapshot; nullopt when none was ever saved.
    core::Result<std::optional<StorySnapshot>> story_snapshot() const;
    // Saves the grouper state as covering every article committed so far (fsynced). The
    // caller makes sure no commit with story assignments runs meanwhile.
    core::Result<void> save_story_snapshot(const std::string& grouper);
    // Saves feed state alone (304s, errors).
    core::Result<void> save_feed_state(const std::string& feed_url, const FeedState& state);

    // Outbox rows whose next_attempt <= now, oldest first, at most limit.
    core::Result<std::vector<QueuedAlert>> outbox_due(core::Instant now, std::size_t limit) const;
    // Pending rows, oldest first (FIFO), that want(key, meta) accepts; want is called in key
    // order on the in-memory index (no database read) and may stop the walk by returning
    // Pick::stop. Only the chosen rows are read from the database.
    enum class Pick { skip, take, stop };
    core::Result<std::vector<QueuedAlert>> outbox_pick(
        const std::function<Pick(const std::string& key, const OutboxMeta& meta)>& want) const;
    // Earliest next_attempt among pending rows accepted by include; nullopt when none.
    std::optional<core::Instant> outbox_next_attempt(
        const std::function<bool(const std::string& key, const OutboxMeta& meta)>& include) const;
    // Pending rows per webhook name (from memory).
    std::map<std::string, WebhookQueue> outbox_queues() const;
    // All pending rows (for counts and listing), oldest first.
    core::Result<std::vector<QueuedAlert>> outbox_all() const;
    // Removes a delivered row. Not fsynced: a crash may forget the removal and the alert is
    // sent again under the same webhook-id (at-least-once), never lost.
    core::Result<void> outbox_delivered(const std::string& key);
    core::Result<void> outbox_reschedule(const std::string& key, const model::OutboxEntry& entry);
    std::size_t outbox_pending() const;

    // Moves a pending row to the dead-letter set (key "d/<webhook_id>"); the webhook-id stays
    // reserved so that the alert is never queued a second time by a re-fetch.
    core::Result<void> outbox_dead(const std::string& key, const model::OutboxEntry& entry);
    // Dead rows, oldest first.
    core::Result<std::vector<QueuedAlert>> dead_all() const;
    // Makes the alert with this webhook-id due at `now`: a dead row goes back to the outbox
    // with attempts reset, a pending row waiting for a retry is made due. False when no
    // pending or dead alert has this id.
    core::Result<bool> requeue(const std::string& webhook_id, core::Instant now);
    // Requeues every dead row; returns how many.
    core::Result<std::size_t> requeue_dead(core::Instant now);

    // Webhooks disabled by 410 Gone, by name, with the URL that answered it: the mark
    // outlives a restart (a webhook that said Gone must not be hit again on every start) and
    // applies only while the webhook keeps that URL.
    core::Result<void> mark_webhook_gone(const std::string& webhook, const std::string& url);
    core::Result<void> clear_webhook_gone(const std::string& webhook);
    core::Result<std::map<std::string, std::string>> gone_webhooks() const;

    // A cheap read that proves the database answers.
    bool healthy() const;

    // The in-memory metadata of the pending row under key (from outbox_pick's index, no
    // database read); nullopt when no pending row has that key.
    std::optional<OutboxMeta> outbox_meta(const std::string& key) const;

    // The database, for the read-only listings of store/queries.hpp (same stage).
    rocksdb::DB& database() const;

    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace feedwatch::store
