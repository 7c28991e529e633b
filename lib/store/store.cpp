#include "store/store.hpp"

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string_view>
#include <system_error>
#include <thread>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "core/digest.hpp"
#include "store/codec.hpp"
#include "store/history.hpp"
#include "store/story_index.hpp"

namespace feedwatch::store {
namespace {

// Key layout (one keyspace, prefixes instead of column families):
//   a/<article_id>                       article JSON
//   s/<sha256(feed_url)>/<item_id>       seen index -> article id
//   f/<feed_url>                         feed state JSON
//   o/<created:020>/<seq:020>/<webhook_id>  outbox row JSON; sorts FIFO by creation
//   w/<webhook_id>                       outbox index -> outbox or dead key, so that a
//                                        webhook_id is queued at most once
//   d/<webhook_id>                       dead-letter row JSON (gave up after give_up_after)
//   g/<webhook name>                     URL of a webhook that answered 410 Gone
//   A/<sha256(watchlist)>/<story id>     empty: the watchlist alerted on the story (its
//                                        next matches are updates)
//   S/snapshot                           <article sequence:020> "\n" story grouper state
//   y/, Y/, z/, Z/                       story rows and indexes for the stories API
//                                        (store/story_index.hpp)
constexpr std::string_view k_article_prefix = "a/";
constexpr std::string_view k_seen_prefix = "s/";
constexpr std::string_view k_feed_prefix = "f/";
constexpr std::string_view k_outbox_prefix = "o/";
constexpr std::string_view k_outbox_index_prefix = "w/";
constexpr std::string_view k_dead_prefix = "d/";
constexpr std::string_view k_gone_prefix = "g/";
constexpr std::string_view k_story_alerted_prefix = "A/";
constexpr std::string_view k_story_snapshot_key = "S/snapshot";

std::string story_alerted_key(std::string_view watchlist, std::string_view story)
{
    // Hashed: a watchlist name may hold any character, '/' included.
    return std::string(k_story_alerted_prefix).append(core::sha256_hex(watchlist)).append("/").append(story);
}

std::string encode_story_snapshot(std::uint64_t article_sequence, std::string_view grouper)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%020" PRIu64 "\n", article_sequence);
    return std::string(buffer).append(grouper);
}

std::string article_key(std::string_view article_id)
{
    return std::string(k_article_prefix).append(article_id);
}

std::string seen_key(std::string_view feed_url, std::string_view item_id)
{
    return std::string(k_seen_prefix).append(core::sha256_hex(feed_url)).append("/").append(item_id);
}

std::string feed_key(std::string_view feed_url)
{
    return std::string(k_feed_prefix).append(feed_url);
}

std::string outbox_index_key(std::string_view webhook_id)
{
    return std::string(k_outbox_index_prefix).append(webhook_id);
}

std::string dead_key(std::string_view webhook_id)
{
    return std::string(k_dead_prefix).append(webhook_id);
}

std::string outbox_key(core::Instant created, std::uint64_t sequence, std::string_view webhook_id)
{
    // Zero-padded decimal sorts like the number; instants before 1970 sort first.
    const auto seconds = std::max<std::int64_t>(0, created.time_since_epoch().count());
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "o/%020" PRId64 "/%020" PRIu64 "/", seconds, sequence);
    return std::string(buffer).append(webhook_id);
}

// The sequence part of an outbox key, or 0 when the key is not ours.
std::uint64_t outbox_sequence(std::string_view key)
{
    constexpr std::size_t k_begin = 2 + 20 + 1;
    if (key.size() < k_begin + 20) {
        return 0;
    }
    std::uint64_t value = 0;
    for (char digit : key.substr(k_begin, 20)) {
        if (digit < '0' || digit > '9') {
            return 0;
        }
        value = value * 10 + static_cast<std::uint64_t>(digit - '0');
    }
    return value;
}

core::Result<void> check(const rocksdb::Status& status, std::string_view what)
{
    if (status.ok()) {
        return {};
    }
    return core::fail(core::ErrorCode::store, std::string(what) + ": " + status.ToString());
}

// Group commit without holding anyone up: writers append to the WAL unsynced (visible at
// once, safe against a process kill) and ask this thread for an fsync; one SyncWAL covers
// every write made before it started, however many polls asked meanwhile.
class WalSyncer {
public:
    explicit WalSyncer(rocksdb::DB& db) : m_db(db), m_thread([this] { run(); }) {}
    ~WalSyncer()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }
    WalSyncer(const WalSyncer&) = delete;
    WalSyncer& operator=(const WalSyncer&) = delete;

    void request()
    {
        {
            const std::lock_guard lock(m_mutex);
            ++m_requested;
        }
        m_wake.notify_one();
    }

    // Blocks until every write made before the call is fsynced.
    core::Result<void> wait()
    {
        std::unique_lock lock(m_mutex);
        const std::uint64_t target = ++m_requested;
        m_wake.notify_one();
        m_synced_cv.wait(lock, [&] { return m_synced >= target || m_stopping; });
        if (!m_error.empty()) {
            return core::fail(core::ErrorCode::store, "fsync of the write-ahead log: " + m_error);
        }
        return {};
    }

    bool failing() const
    {
        const std::lock_guard lock(m_mutex);
        return !m_error.empty();
    }

private:
    void run()
    {
        std::unique_lock lock(m_mutex);
        while (true) {
            m_wake.wait(lock, [&] { return m_stopping || m_requested != m_synced; });
            if (m_requested == m_synced) {
                return;  // stopping with nothing left to sync
            }
            const std::uint64_t target = m_requested;
            lock.unlock();
            const rocksdb::Status status = m_db.SyncWAL();
            lock.lock();
            m_error = status.ok() ? std::string{} : status.ToString();
            m_synced = target;
            m_synced_cv.notify_all();
        }
    }

    rocksdb::DB& m_db;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_synced_cv;
    std::uint64_t m_requested = 0;
    std::uint64_t m_synced = 0;
    bool m_stopping = false;
    std::string m_error;  // of the last SyncWAL; empty when it succeeded
    std::thread m_thread;  // last: starts after the members it reads
};

}  // namespace

struct Store::Impl {
    std::filesystem::path dir;
    std::unique_ptr<rocksdb::DB> db;
    std::unique_ptr<WalSyncer> syncer;  // destroyed (joined) before db: see ~Store
    // Serialises read-check-write sequences on the outbox (dedup index, sequence) and guards
    // the in-memory index.
    mutable std::mutex write_mutex;
    std::atomic<std::size_t> pending{0};
    std::uint64_t next_sequence = 1;
    std::map<std::string, OutboxMeta> index;  // pending rows by outbox key (FIFO order)
    std::uint64_t next_alert_sequence = 1;    // alert history rows (store/history.hpp)
    std::uint64_t next_article_sequence = 1;  // article order rows
    std::uint64_t next_story_sequence = 1;    // story order rows (store/story_index.hpp)

    static OutboxMeta meta_of(const model::OutboxEntry& entry)
    {
        return OutboxMeta{entry.webhook, entry.created, entry.next_attempt, entry.attempts, entry.digest};
    }

    rocksdb::WriteOptions unsynced() const
    {
        return rocksdb::WriteOptions{};  // WAL written, not fsynced: survives a process kill
    }

    rocksdb::WriteOptions synced() const
    {
        rocksdb::WriteOptions options;
        options.sync = true;  // WAL on and fsynced: an acknowledged alert survives a crash
        return options;
    }

    // Value of key, nullopt when absent.
    core::Result<std::optional<std::string>> get(const std::string& key) const
    {
        std::string value;
        const rocksdb::Status status = db->Get(rocksdb::ReadOptions{}, key, &value);
        if (status.IsNotFound()) {
            return std::optional<std::string>{};
        }
        if (!status.ok()) {
            return core::fail(core::ErrorCode::store, "read " + key + ": " + status.ToString());
        }
        return std::optional<std::string>{std::move(value)};
    }

    // Outbox rows in key order; stops after limit rows accepted by keep.
    template <class Keep>
    core::Result<std::vector<QueuedAlert>> scan_outbox(std::size_t limit, Keep&& keep,
                                                       std::string_view prefix = k_outbox_prefix) const
    {
        std::vector<QueuedAlert> rows;
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions{}));
        for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
             it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())) && rows.size() < limit;
             it->Next()) {
            auto entry = codec::decode_outbox_entry(it->value().ToStringView());
            if (!entry) {
                return core::fail(entry.error().code, entry.error().detail + " (key " + it->key().ToString() + ")");
            }
            if (keep(*entry)) {
                rows.push_back(QueuedAlert{it->key().ToString(), std::move(*entry)});
            }
        }
        if (auto status = check(it->status(), "scan outbox"); !status) {
            return tl::unexpected(status.error());
        }
        return rows;
    }
};

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Store::~Store()
{
    if (m_impl && m_impl->syncer) {
        static_cast<void>(m_impl->syncer->wait());  // nothing to report to at this point
        m_impl->syncer.reset();
    }
    if (m_impl && m_impl->db) {
        // Best effort: flush nothing, just release the LOCK and file handles cleanly.
        m_impl->db->Close().PermitUncheckedError();
    }
}

core::Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& dir)
{
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) {
        return core::fail(core::ErrorCode::io, "cannot create store directory " + dir.string() + ": " + error.message());
    }
    rocksdb::Options options;
    options.create_if_missing = true;
    options.keep_log_file_num = 5;
    // Sized for an archive that takes a first cycle of 10,000 feeds (~600,000 articles, ~1 GB of
    // JSON) in minutes: OptimizeForSmallDb's 2 MiB memtables and low compaction limits stalled
    // writes there ("Stalling writes because of estimated pending compaction bytes") and held
    // the first cycle to ~20 feeds/s. 8 MiB x 3 memtables bound write memory at 24 MiB; LZ4
    // shrinks the JSON several times (ZSTD at the bottom level took 22% of the daemon's CPU
    // during a first cycle, for little more).
    options.IncreaseParallelism(2);
    options.write_buffer_size = 8u << 20;
    options.max_write_buffer_number = 3;
    options.level_compaction_dynamic_level_bytes = true;
    options.compression = rocksdb::kLZ4Compression;
    // Article ids are hashes, so every compaction of the article rows rewrote the whole
    // level of ~2 KB values: values of 512 bytes and more (articles, alert bodies) go to blob
    // files written once at flush, and compactions move only keys and blob references
    // (first cycle of 10,000 feeds: 358 -> 215 CPU-s with the filter change below). Nothing
    // deletes articles, so blob garbage collection stays off; delivered alert bodies are
    // the only garbage.
    options.enable_blob_files = true;
    options.min_blob_size = 512;
    options.blob_file_size = 64u << 20;
    options.blob_compression_type = rocksdb::kLZ4Compression;
    // Point reads that miss are the common case (the seen index for new items, the outbox
    // index of delivered alerts): a bloom filter per file skips them. Index and filter blocks
    // live with each open table, outside the block cache: in the 32 MiB cache (64 shards of
    // 512 KiB) a large file's filter was evicted by data blocks and read, checksummed and
    // parsed again on nearly every lookup (40% of the ingest workers' CPU 60 s into a first
    // cycle of 10,000 feeds). They take about 10 bits per key plus an index entry per 4 KiB
    // block, always in memory; the alerts page is no slower for it (bench/README.md, api:
    // p50 0.53 -> 0.50 ms on a quiet machine).
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(32u << 20);
    table.cache_index_and_filter_blocks = false;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status status = rocksdb::DB::Open(options, dir.string(), &raw);
    if (!status.ok()) {
        std::string detail = "cannot open store in " + dir.string() + ": " + status.ToString();
        if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
            detail += " (is another feedwatch process using this directory?)";
        }
        return core::fail(core::ErrorCode::store, std::move(detail));
    }
    auto impl = std::make_unique<Impl>();
    impl->dir = dir;
    impl->db.reset(raw);
    impl->syncer = std::make_unique<WalSyncer>(*impl->db);

    // Count pending rows and continue the sequence after the highest one still queued.
    auto rows = impl->scan_outbox(SIZE_MAX, [](const model::OutboxEntry&) { return true; });
    if (!rows) {
        return tl::unexpected(rows.error());
    }
    impl->pending = rows->size();
    if (auto indexed = history::index_existing_alerts(*impl->db); !indexed) {
        return tl::unexpected(indexed.error());
    }
    impl->next_alert_sequence = history::last_sequence(*impl->db, history::k_alert_prefix) + 1;
    impl->next_article_sequence = history::last_sequence(*impl->db, history::k_article_order_prefix) + 1;
    impl->next_story_sequence = history::last_sequence(*impl->db, story_index::k_story_order_prefix) + 1;
    for (const QueuedAlert& row : *rows) {
        impl->next_sequence = std::max(impl->next_sequence, outbox_sequence(row.key) + 1);
        impl->index.emplace(row.key, Impl::meta_of(row.entry));
    }
    return std::make_unique<Store>(std::move(impl));
}

core::Result<std::optional<FeedState>> Store::feed_state(const std::string& feed_url) const
{
    auto value = m_impl->get(feed_key(feed_url));
    if (!value) {
        return tl::unexpected(value.error());
    }
    if (!*value) {
        return std::optional<FeedState>{};
    }
    auto state = codec::decode_feed_state(**value);
    if (!state) {
        return tl::unexpected(state.error());
    }
    return std::optional<FeedState>{std::move(*state)};
}

core::Result<bool> Store::seen(const std::string& feed_url, const std::string& item_id) const
{
    auto value = m_impl->get(seen_key(feed_url, item_id));
    if (!value) {
        return tl::unexpected(value.error());
    }
    return value->has_value();
}

core::Result<std::optional<model::Article>> Store::article(const std::string& article_id) const
{
    auto value = m_impl->get(article_key(article_id));
    if (!value) {
        return tl::unexpected(value.error());
    }
    if (!*value) {
        return std::optional<model::Article>{};
    }
    auto decoded = codec::decode_article(**value);
    if (!decoded) {
        return tl::unexpected(decoded.error());
    }
    return std::optional<model::Article>{std::move(*decoded)};
}

core::Result<void> Store::commit(const PollCommit& commit)
{
    rocksdb::WriteBatch batch;
    for (const model::Article& article : commit.articles) {
        batch.Put(article_key(article.id), codec::encode_article(article));
        batch.Put(seen_key(commit.feed_url, article.item.id), article.id);
    }
    batch.Put(feed_key(commit.feed_url), codec::encode_feed_state(commit.state));

    const std::lock_guard lock(m_impl->write_mutex);
    std::set<std::string> queued;  // webhook ids added by this batch
    std::vector<std::pair<std::string, OutboxMeta>> added;
    std::uint64_t sequence = m_impl->next_sequence;
    std::vector<const model::OutboxEntry*> queued_entries;  // for the alert history
    for (const model::OutboxEntry& entry : commit.outbox) {
        const std::string index_key = outbox_index_key(entry.webhook_id);
        auto existing = m_impl->get(index_key);
        if (!existing) {
            return tl::unexpected(existing.error());
        }
        if (existing->has_value() || !queued.insert(entry.webhook_id).second) {
            continue;  // this alert is already pending: never two rows for one webhook-id
        }
        const std::string key = outbox_key(entry.created, sequence++, entry.webhook_id);
        batch.Put(key, codec::encode_outbox_entry(entry));
        batch.Put(index_key, key);
        added.emplace_back(key, Impl::meta_of(entry));
        queued_entries.push_back(&entry);
    }
    std::uint64_t alert_sequence = m_impl->next_alert_sequence;
    std::uint64_t article_sequence = m_impl->next_article_sequence;
    history::add_alerts(batch, queued_entries, alert_sequence);
    std::uint64_t story_sequence = m_impl->next_story_sequence;
    if (auto stories = story_index::add_stories(*m_impl->db, batch, commit.articles, article_sequence,
                                                commit.story_alerts, story_sequence);
        !stories) {
        return stories;
    }
    history::add_articles(batch, commit.articles, article_sequence);
    for (const StoryAlerted& alerted : commit.story_alerts) {
        batch.Put(story_alerted_key(alerted.watchlist, alerted.story), rocksdb::Slice());
    }
    if (commit.story_snapshot) {
        batch.Put(k_story_snapshot_key, encode_story_snapshot(article_sequence - 1, *commit.story_snapshot));
    }
    // Visible and safe against a process kill as soon as Write returns; against a power cut
    // once the background fsync (requested below for batches that create alerts) is done.
    // The deliverer may send an alert before that fsync: if power fails in between, the
    // batch is lost with the feed's validators, the next poll fetches the item again and
    // re-creates the alert under the same webhook-id (a duplicate the receiver recognises).
    // Articles without alerts are not worth an fsync: the next poll fetches them again.
    if (auto status = check(m_impl->db->Write(m_impl->unsynced(), &batch), "commit poll of " + commit.feed_url);
        !status) {
        return status;
    }
    m_impl->next_sequence = sequence;
    m_impl->next_alert_sequence = alert_sequence;
    m_impl->next_article_sequence = article_sequence;
    m_impl->next_story_sequence = story_sequence;
    m_impl->pending += queued.size();
    m_impl->index.insert(added.begin(), added.end());
    if (!commit.outbox.empty()) {
        m_impl->syncer->request();
    }
    return {};
}

core::Result<void> Store::sync()
{
    return m_impl->syncer->wait();
}

core::Result<bool> Store::story_alerted(const std::string& watchlist, const std::string& story) const
{
    auto value = m_impl->get(story_alerted_key(watchlist, story));
    if (!value) {
        return tl::unexpected(value.error());
    }
    return value->has_value();
}

core::Result<std::optional<StorySnapshot>> Store::story_snapshot() const
{
    auto value = m_impl->get(std::string(k_story_snapshot_key));
    if (!value) {
        return tl::unexpected(value.error());
    }
    if (!*value) {
        return std::optional<StorySnapshot>{};
    }
    const std::string& text = **value;
    StorySnapshot snapshot;
    if (text.size() < 21 || text[20] != '\n') {
        return core::fail(core::ErrorCode::store, "corrupt story snapshot row: no article sequence");
    }
    for (char digit : std::string_view(text).substr(0, 20)) {
        if (digit < '0' || digit > '9') {
            return core::fail(core::ErrorCode::store, "corrupt story snapshot row: bad article sequence");
        }
        snapshot.article_sequence = snapshot.article_sequence * 10 + static_cast<std::uint64_t>(digit - '0');
    }
    snapshot.grouper = text.substr(21);
    return std::optional<StorySnapshot>{std::move(snapshot)};
}

core::Result<void> Store::save_story_snapshot(const std::string& grouper)
{
    const std::lock_guard lock(m_impl->write_mutex);
    return check(m_impl->db->Put(m_impl->synced(), std::string(k_story_snapshot_key),
                                 encode_story_snapshot(m_impl->next_article_sequence - 1, grouper)),
                 "save story snapshot");
}

core::Result<void> Store::save_feed_state(const std::string& feed_url, const FeedState& state)
{
    // Validators and error counts are cheap to lose: no fsync.
    return check(m_impl->db->Put(rocksdb::WriteOptions{}, feed_key(feed_url), codec::encode_feed_state(state)),
                 "save feed state of " + feed_url);
}

core::Result<std::vector<QueuedAlert>> Store::outbox_due(core::Instant now, std::size_t limit) const
{
    return m_impl->scan_outbox(limit, [now](const model::OutboxEntry& entry) { return entry.next_attempt <= now; });
}

core::Result<std::vector<QueuedAlert>> Store::outbox_all() const
{
    return m_impl->scan_outbox(SIZE_MAX, [](const model::OutboxEntry&) { return true; });
}

core::Result<void> Store::outbox_delivered(const std::string& key)
{
    const std::lock_guard lock(m_impl->write_mutex);
    auto value = m_impl->get(key);
    if (!value) {
        return tl::unexpected(value.error());
    }
    if (!*value) {
        return {};  // already gone
    }
    rocksdb::WriteBatch batch;
    batch.Delete(key);
    if (auto entry = codec::decode_outbox_entry(**value); entry) {
        batch.Delete(outbox_index_key(entry->webhook_id));
    }
    if (auto status = check(m_impl->db->Write(m_impl->unsynced(), &batch), "delete outbox row " + key); !status) {
        return status;
    }
    m_impl->index.erase(key);
    m_impl->pending = m_impl->index.size();
    return {};
}

core::Result<void> Store::outbox_reschedule(const std::string& key, const model::OutboxEntry& entry)
{
    const std::lock_guard lock(m_impl->write_mutex);
    auto value = m_impl->get(key);
    if (!value) {
        return tl::unexpected(value.error());
    }
    if (!*value) {
        return {};  // delivered meanwhile: do not resurrect it
    }
    // Not fsynced: losing a reschedule only means one early retry after a crash.
    if (auto status = check(m_impl->db->Put(m_impl->unsynced(), key, codec::encode_outbox_entry(entry)),
                            "reschedule outbox row " + key);
        !status) {
        return status;
    }
    m_impl->index[key] = Impl::meta_of(entry);
    return {};
}

core::Result<std::vector<QueuedAlert>> Store::outbox_pick(
    const std::function<Pick(const std::string& key, const OutboxMeta& meta)>& want) const
{
    std::vector<std::string> keys;
    {
        const std::lock_guard lock(m_impl->write_mutex);
        for (const auto& [key, meta] : m_impl->index) {
            const Pick pick = want(key, meta);
            if (pick == Pick::stop) {
                break;
            }
            if (pick == Pick::take) {
                keys.push_back(key);
            }
        }
    }
    std::vector<QueuedAlert> rows;
    rows.reserve(keys.size());
    for (std::string& key : keys) {
        auto value = m_impl->get(key);
        if (!value) {
            return tl::unexpected(value.error());
        }
        if (!*value) {
            continue;  // removed meanwhile
        }
        auto entry = codec::decode_outbox_entry(**value);
        if (!entry) {
            return core::fail(entry.error().code, entry.error().detail + " (key " + key + ")");
        }
        rows.push_back(QueuedAlert{std::move(key), std::move(*entry)});
    }
    return rows;
}

std::optional<core::Instant> Store::outbox_next_attempt(
    const std::function<bool(const std::string& key, const OutboxMeta& meta)>& include) const
{
    const std::lock_guard lock(m_impl->write_mutex);
    std::optional<core::Instant> earliest;
    for (const auto& [key, meta] : m_impl->index) {
        if ((!earliest || meta.next_attempt < *earliest) && include(key, meta)) {
            earliest = meta.next_attempt;
        }
    }
    return earliest;
}

std::map<std::string, WebhookQueue> Store::outbox_queues() const
{
    const std::lock_guard lock(m_impl->write_mutex);
    std::map<std::string, WebhookQueue> queues;
    for (const auto& [key, meta] : m_impl->index) {
        WebhookQueue& queue = queues[meta.webhook];
        if (queue.pending == 0 || meta.created < queue.oldest_created) {
            queue.oldest_created = meta.created;
        }
        ++queue.pending;
    }
    return queues;
}

core::Result<void> Store::outbox_dead(const std::string& key, const model::OutboxEntry& entry)
{
    const std::lock_guard lock(m_impl->write_mutex);
    auto value = m_impl->get(key);
    if (!value) {
        return tl::unexpected(value.error());
    }
    if (!*value) {
        return {};  // delivered meanwhile
    }
    rocksdb::WriteBatch batch;
    batch.Delete(key);
    batch.Put(dead_key(entry.webhook_id), codec::encode_outbox_entry(entry));
    batch.Put(outbox_index_key(entry.webhook_id), dead_key(entry.webhook_id));
    if (auto status = check(m_impl->db->Write(m_impl->synced(), &batch), "move outbox row " + key + " to dead letters");
        !status) {
        return status;
    }
    m_impl->index.erase(key);
    m_impl->pending = m_impl->index.size();
    return {};
}

core::Result<std::vector<QueuedAlert>> Store::dead_all() const
{
    auto rows = m_impl->scan_outbox(
        SIZE_MAX, [](const model::OutboxEntry&) { return true; }, k_dead_prefix);
    if (rows) {
        std::stable_sort(rows->begin(), rows->end(), [](const QueuedAlert& left, const QueuedAlert& right) {
            return left.entry.created < right.entry.created;
        });
    }
    return rows;
}

core::Result<bool> Store::requeue(const std::string& webhook_id, core::Instant now)
{
    const std::lock_guard lock(m_impl->write_mutex);
    auto target = m_impl->get(outbox_index_key(webhook_id));
    if (!target) {
        return tl::unexpected(target.error());
    }
    if (!*target) {
        return false;
    }
    const std::string key = **target;
    auto value = m_impl->get(key);
    if (!value) {
        return tl::unexpected(value.error());
    }
    if (!*value) {
        return false;
    }
    auto entry = codec::decode_outbox_entry(**value);
    if (!entry) {
        return tl::unexpected(entry.error());
    }
    entry->next_attempt = now;
    rocksdb::WriteBatch batch;
    std::string new_key = key;
    if (key.starts_with(k_dead_prefix)) {
        entry->attempts = 0;
        new_key = outbox_key(entry->created, m_impl->next_sequence, webhook_id);
        batch.Delete(key);
        batch.Put(outbox_index_key(webhook_id), new_key);
    }
    batch.Put(new_key, codec::encode_outbox_entry(*entry));
    if (auto status = check(m_impl->db->Write(m_impl->synced(), &batch), "requeue " + key); !status) {
        return tl::unexpected(status.error());
    }
    if (new_key != key) {
        ++m_impl->next_sequence;
    }
    m_impl->index[new_key] = Impl::meta_of(*entry);
    m_impl->pending = m_impl->index.size();
    return true;
}

core::Result<std::size_t> Store::requeue_dead(core::Instant now)
{
    auto dead = dead_all();
    if (!dead) {
        return tl::unexpected(dead.error());
    }
    std::size_t count = 0;
    for (const QueuedAlert& row : *dead) {
        auto requeued = requeue(row.entry.webhook_id, now);
        if (!requeued) {
            return tl::unexpected(requeued.error());
        }
        count += *requeued ? 1 : 0;
    }
    return count;
}

core::Result<void> Store::mark_webhook_gone(const std::string& webhook, const std::string& url)
{
    return check(m_impl->db->Put(m_impl->synced(), std::string(k_gone_prefix).append(webhook), url),
                 "mark webhook " + webhook + " gone");
}

core::Result<void> Store::clear_webhook_gone(const std::string& webhook)
{
    return check(m_impl->db->Delete(m_impl->unsynced(), std::string(k_gone_prefix).append(webhook)),
                 "clear gone mark of webhook " + webhook);
}

core::Result<std::map<std::string, std::string>> Store::gone_webhooks() const
{
    std::map<std::string, std::string> gone;
    const rocksdb::Slice prefix(k_gone_prefix.data(), k_gone_prefix.size());
    std::unique_ptr<rocksdb::Iterator> it(m_impl->db->NewIterator(rocksdb::ReadOptions{}));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        gone.emplace(it->key().ToString().substr(prefix.size()), it->value().ToString());
    }
    if (auto status = check(it->status(), "scan gone webhooks"); !status) {
        return tl::unexpected(status.error());
    }
    return gone;
}

std::size_t Store::outbox_pending() const
{
    return m_impl->pending.load();
}

std::optional<OutboxMeta> Store::outbox_meta(const std::string& key) const
{
    const std::lock_guard lock(m_impl->write_mutex);
    const auto found = m_impl->index.find(key);
    if (found == m_impl->index.end()) {
        return std::nullopt;
    }
    return found->second;
}

rocksdb::DB& Store::database() const
{
    return *m_impl->db;
}

bool Store::healthy() const
{
    std::string value;
    const rocksdb::Status status = m_impl->db->Get(rocksdb::ReadOptions{}, "h/probe", &value);
    return (status.ok() || status.IsNotFound()) && !m_impl->syncer->failing();
}

}  // namespace feedwatch::store
