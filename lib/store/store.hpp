#pragma once
// Durable state in RocksDB: articles, the seen index (feed + item id -> article), feed state
// and the alert outbox. The only RocksDB code. Calls block (disk); callers keep them short.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "model/article.hpp"

namespace feedwatch::store {

struct FeedState {
    std::string etag;
    std::string last_modified;
    std::string title;
    std::optional<core::Instant> last_success;
    int consecutive_errors = 0;
};

// Everything one poll changes, written in one synced WriteBatch: after a crash it is all
// there or none of it is.
struct PollCommit {
    std::string feed_url;
    FeedState state;
    std::vector<model::Article> articles;  // new ones only
    std::vector<model::OutboxEntry> outbox;
};

// An outbox row with its key.
struct QueuedAlert {
    std::string key;
    model::OutboxEntry entry;
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
    core::Result<void> commit(const PollCommit& commit);
    // Saves feed state alone (304s, errors).
    core::Result<void> save_feed_state(const std::string& feed_url, const FeedState& state);

    // Outbox rows whose next_attempt <= now, oldest first, at most limit.
    core::Result<std::vector<QueuedAlert>> outbox_due(core::Instant now, std::size_t limit) const;
    // All pending rows (for counts and listing), oldest first.
    core::Result<std::vector<QueuedAlert>> outbox_all() const;
    core::Result<void> outbox_delivered(const std::string& key);
    core::Result<void> outbox_reschedule(const std::string& key, const model::OutboxEntry& entry);
    std::size_t outbox_pending() const;

    // A cheap read that proves the database answers.
    bool healthy() const;

    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace feedwatch::store
