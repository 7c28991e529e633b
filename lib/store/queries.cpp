#include "store/queries.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "core/digest.hpp"
#include "store/codec.hpp"
#include "store/history.hpp"

namespace feedwatch::store {
namespace {

using nlohmann::json;

std::string sequence_key(std::string_view prefix, std::uint64_t sequence)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%020" PRIu64, sequence);
    return std::string(prefix).append(buffer);
}

std::uint64_t sequence_of(std::string_view key, std::string_view prefix)
{
    std::uint64_t value = 0;
    for (char digit : key.substr(prefix.size())) {
        if (digit < '0' || digit > '9') {
            return 0;
        }
        value = value * 10 + static_cast<std::uint64_t>(digit - '0');
    }
    return value;
}

std::int64_t seconds_of(core::Instant instant)
{
    return instant.time_since_epoch().count();
}

core::Instant instant_of(std::int64_t seconds)
{
    return core::Instant{std::chrono::seconds{seconds}};
}

std::string dump(const json& value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string string_at(const json& object, const char* name)
{
    if (!object.is_object()) {
        return {};
    }
    const auto found = object.find(name);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

core::Result<AlertRecord> decode_alert_row(std::string_view key, std::string_view text)
{
    return decode_alert(sequence_of(key, history::k_alert_prefix), text);
}

rocksdb::DB& db_of(const Store& store)
{
    return store.database();
}

}  // namespace

core::Result<AlertRecord> decode_alert(std::uint64_t sequence, std::string_view text)
{
    const json row = json::parse(text, nullptr, false);
    if (row.is_discarded() || !row.is_object()) {
        return core::fail(core::ErrorCode::store, "alert history row " + std::to_string(sequence) + " is not JSON");
    }
    AlertRecord record;
    record.sequence = sequence;
    record.watchlist = string_at(row, "watchlist");
    record.article_id = string_at(row, "article_id");
    record.created = instant_of(row.value("created", std::int64_t{0}));
    record.title = string_at(row, "title");
    record.link = string_at(row, "link");
    if (row.contains("published") && row["published"].is_number_integer()) {
        record.published = instant_of(row["published"].get<std::int64_t>());
    }
    record.feed_url = string_at(row, "feed_url");
    record.feed_title = string_at(row, "feed_title");
    record.story = string_at(row, "story");
    for (const json& match : row.value("matches", json::array())) {
        record.matches.push_back(model::Match{string_at(match, "term"), string_at(match, "field"),
                                              string_at(match, "snippet")});
    }
    for (const json& webhook : row.value("webhooks", json::array())) {
        record.webhooks.emplace_back(string_at(webhook, "name"), string_at(webhook, "id"));
    }
    return record;
}

namespace history {

std::uint64_t last_sequence(rocksdb::DB& db, std::string_view prefix)
{
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions{}));
    const std::string end = std::string(prefix.substr(0, prefix.size() - 1)) + static_cast<char>('/' + 1);
    it->SeekForPrev(end);
    if (it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
        return sequence_of(it->key().ToStringView(), prefix);
    }
    return 0;
}

void add_alerts(rocksdb::WriteBatch& batch, const std::vector<const model::OutboxEntry*>& queued,
                std::uint64_t& next_sequence)
{
    std::map<std::pair<std::string, std::string>, std::vector<const model::OutboxEntry*>> groups;
    std::vector<std::pair<std::string, std::string>> order;
    for (const model::OutboxEntry* entry : queued) {
        auto& group = groups[{entry->watchlist, entry->article_id}];
        if (group.empty()) {
            order.emplace_back(entry->watchlist, entry->article_id);
        }
        group.push_back(entry);
    }
    for (const auto& pair : order) {
        const auto& group = groups[pair];
        const model::OutboxEntry& first = *group.front();
        // The payload (deliver::render_json_payload) carries the article and the matches.
        const json payload = json::parse(first.body, nullptr, false);
        const json data = payload.is_object() ? payload.value("data", json::object()) : json::object();
        const json article = data.is_object() ? data.value("article", json::object()) : json::object();
        const json feed = article.is_object() ? article.value("feed", json::object()) : json::object();
        json row = {{"watchlist", first.watchlist},
                    {"article_id", first.article_id},
                    {"created", seconds_of(first.created)},
                    {"title", string_at(article, "title")},
                    {"link", string_at(article, "link")},
                    {"feed_url", string_at(feed, "url")},
                    {"feed_title", string_at(feed, "title")}};
        if (auto published = core::parse_rfc3339(string_at(article, "published"))) {
            row["published"] = seconds_of(*published);
        }
        json matches = json::array();
        if (data.is_object() && data.contains("matches") && data["matches"].is_array()) {
            for (const json& match : data["matches"]) {
                matches.push_back({{"term", string_at(match, "term")},
                                   {"field", string_at(match, "field")},
                                   {"snippet", string_at(match, "snippet")}});
            }
        }
        row["matches"] = std::move(matches);
        const json story_object = data.is_object() ? data.value("story", json::object()) : json::object();
        if (std::string story = string_at(story_object, "id"); !story.empty()) {
            row["story"] = std::move(story);
        }
        json webhooks = json::array();
        for (const model::OutboxEntry* entry : group) {
            webhooks.push_back({{"name", entry->webhook}, {"id", entry->webhook_id}});
        }
        row["webhooks"] = std::move(webhooks);
        batch.Put(sequence_key(watchlist_prefix(first.watchlist), next_sequence), rocksdb::Slice());
        batch.Put(sequence_key(k_alert_prefix, next_sequence++), dump(row));
    }
}

std::string watchlist_prefix(std::string_view watchlist)
{
    return "L/" + core::sha256_hex(watchlist).substr(0, 32) + "/";
}

core::Result<void> index_existing_alerts(rocksdb::DB& db)
{
    std::string done;
    rocksdb::Status status = db.Get(rocksdb::ReadOptions{}, k_watchlist_index_done, &done);
    if (status.ok()) {
        return {};
    }
    if (!status.IsNotFound()) {
        return core::fail(core::ErrorCode::store, "read watchlist index mark: " + status.ToString());
    }
    // Rewriting an entry is harmless, so a crash before the mark only means doing it again.
    constexpr std::size_t k_rows_per_batch = 10000;
    rocksdb::WriteBatch batch;
    std::size_t in_batch = 0;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions{}));
    const rocksdb::Slice prefix(k_alert_prefix.data(), k_alert_prefix.size());
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        const json row = json::parse(it->value().ToStringView(), nullptr, false);
        const std::uint64_t sequence = sequence_of(it->key().ToStringView(), k_alert_prefix);
        batch.Put(sequence_key(watchlist_prefix(string_at(row, "watchlist")), sequence), rocksdb::Slice());
        if (++in_batch == k_rows_per_batch) {
            status = db.Write(rocksdb::WriteOptions{}, &batch);
            if (!status.ok()) {
                return core::fail(core::ErrorCode::store, "write watchlist index: " + status.ToString());
            }
            batch.Clear();
            in_batch = 0;
        }
    }
    if (!it->status().ok()) {
        return core::fail(core::ErrorCode::store, "read alert history: " + it->status().ToString());
    }
    batch.Put(k_watchlist_index_done, rocksdb::Slice());
    status = db.Write(rocksdb::WriteOptions{}, &batch);
    if (!status.ok()) {
        return core::fail(core::ErrorCode::store, "write watchlist index: " + status.ToString());
    }
    return {};
}

void add_articles(rocksdb::WriteBatch& batch, const std::vector<model::Article>& articles,
                  std::uint64_t& next_sequence)
{
    for (const model::Article& article : articles) {
        batch.Put(sequence_key(k_article_order_prefix, next_sequence++), article.id);
    }
}

}  // namespace history

const char* to_string(DeliveryState state)
{
    switch (state) {
    case DeliveryState::pending:
        return "pending";
    case DeliveryState::delivered:
        return "delivered";
    case DeliveryState::dead:
        return "dead";
    }
    return "pending";
}

core::Result<void> walk_alerts_newest(const Store& store, std::uint64_t before_sequence,
                                      const std::function<Walk(std::uint64_t sequence, std::string_view row)>& visit)
{
    const std::string_view prefix = history::k_alert_prefix;
    std::unique_ptr<rocksdb::Iterator> it(db_of(store).NewIterator(rocksdb::ReadOptions{}));
    const std::string start =
        before_sequence > 0 ? sequence_key(prefix, before_sequence) : std::string("l") + static_cast<char>('/' + 1);
    it->SeekForPrev(start);
    if (it->Valid() && before_sequence > 0 && it->key().ToStringView() == start) {
        it->Prev();  // strictly older than the cursor
    }
    for (; it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())); it->Prev()) {
        if (visit(sequence_of(it->key().ToStringView(), prefix), it->value().ToStringView()) == Walk::stop) {
            return {};
        }
    }
    if (!it->status().ok()) {
        return core::fail(core::ErrorCode::store, "list alerts: " + it->status().ToString());
    }
    return {};
}

core::Result<std::vector<std::uint64_t>> alert_sequences_of(const Store& store, std::string_view watchlist,
                                                            std::uint64_t before_sequence, std::size_t limit)
{
    std::vector<std::uint64_t> sequences;
    const std::string prefix = history::watchlist_prefix(watchlist);
    std::unique_ptr<rocksdb::Iterator> it(db_of(store).NewIterator(rocksdb::ReadOptions{}));
    // ':' sorts right after the digits: the first key past the watchlist's entries.
    const std::string start = before_sequence > 0 ? sequence_key(prefix, before_sequence) : prefix + ":";
    it->SeekForPrev(start);
    if (it->Valid() && before_sequence > 0 && it->key().ToStringView() == start) {
        it->Prev();  // strictly older than the cursor
    }
    for (; it->Valid() && it->key().starts_with(prefix) && sequences.size() < limit; it->Prev()) {
        sequences.push_back(sequence_of(it->key().ToStringView(), prefix));
    }
    if (!it->status().ok()) {
        return core::fail(core::ErrorCode::store,
                          "list alerts of " + std::string(watchlist) + ": " + it->status().ToString());
    }
    return sequences;
}

core::Result<std::optional<std::string>> alert_row(const Store& store, std::uint64_t sequence)
{
    std::string row;
    const rocksdb::Status status =
        db_of(store).Get(rocksdb::ReadOptions{}, sequence_key(history::k_alert_prefix, sequence), &row);
    if (status.IsNotFound()) {
        return std::nullopt;
    }
    if (!status.ok()) {
        return core::fail(core::ErrorCode::store, "read alert " + std::to_string(sequence) + ": " + status.ToString());
    }
    return row;
}

core::Result<std::vector<AlertRecord>> alerts_newest(const Store& store, const AlertFilter& filter)
{
    if (!filter.watchlist.empty()) {
        auto sequences = alert_sequences_of(store, filter.watchlist, filter.before_sequence, filter.limit);
        if (!sequences) {
            return tl::unexpected(sequences.error());
        }
        std::vector<AlertRecord> records;
        for (const std::uint64_t sequence : *sequences) {
            auto row = alert_row(store, sequence);
            if (!row) {
                return tl::unexpected(row.error());
            }
            if (!*row) {
                continue;
            }
            auto record = decode_alert(sequence, **row);
            if (!record) {
                return tl::unexpected(record.error());
            }
            if (filter.since && record->created < *filter.since) {
                break;  // commit order: everything further is older
            }
            records.push_back(std::move(*record));
        }
        return records;
    }

    std::vector<AlertRecord> records;
    std::optional<core::Error> failed;
    auto walked = walk_alerts_newest(store, filter.before_sequence, [&](std::uint64_t sequence, std::string_view row) {
        if (records.size() >= filter.limit) {
            return Walk::stop;
        }
        auto record = decode_alert(sequence, row);
        if (!record) {
            failed = record.error();
            return Walk::stop;
        }
        if (filter.since && record->created < *filter.since) {
            return Walk::stop;  // history rows are in commit order, so everything further is older
        }
        records.push_back(std::move(*record));
        return Walk::more;
    });
    if (failed) {
        return tl::unexpected(*failed);
    }
    if (!walked) {
        return tl::unexpected(walked.error());
    }
    return records;
}

core::Result<std::vector<AlertRecord>> alerts_after(const Store& store, std::uint64_t after, std::size_t limit)
{
    std::vector<AlertRecord> records;
    const std::string_view prefix = history::k_alert_prefix;
    std::unique_ptr<rocksdb::Iterator> it(db_of(store).NewIterator(rocksdb::ReadOptions{}));
    for (it->Seek(sequence_key(prefix, after + 1));
         it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())) && records.size() < limit;
         it->Next()) {
        auto record = decode_alert_row(it->key().ToStringView(), it->value().ToStringView());
        if (!record) {
            return tl::unexpected(record.error());
        }
        records.push_back(std::move(*record));
    }
    if (!it->status().ok()) {
        return core::fail(core::ErrorCode::store, "list alerts: " + it->status().ToString());
    }
    return records;
}

core::Result<std::uint64_t> last_alert_sequence(const Store& store)
{
    return history::last_sequence(db_of(store), history::k_alert_prefix);
}

core::Result<std::vector<AlertDelivery>> deliveries(const Store& store, const AlertRecord& record)
{
    return deliveries(store, record.webhooks);
}

core::Result<std::vector<AlertDelivery>> deliveries(const Store& store,
                                                    const std::vector<std::pair<std::string, std::string>>& webhooks)
{
    auto all = deliveries(store, std::vector<const Webhooks*>{&webhooks});
    if (!all) {
        return tl::unexpected(all.error());
    }
    return std::move(all->front());
}

core::Result<std::vector<std::vector<AlertDelivery>>> deliveries(const Store& store,
                                                                 const std::vector<const Webhooks*>& alerts)
{
    rocksdb::DB& db = db_of(store);
    // One batched read of the outbox index for the whole page: far cheaper than a point read
    // per webhook, most of which find the deletion a delivery left behind.
    std::vector<std::string> keys;
    for (const Webhooks* webhooks : alerts) {
        for (const auto& [webhook, webhook_id] : *webhooks) {
            keys.push_back("w/" + webhook_id);
        }
    }
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    if (!keys.empty()) {
        db.MultiGet(rocksdb::ReadOptions{}, db.DefaultColumnFamily(), keys.size(), slices.data(), values.data(),
                    statuses.data());
    }
    std::vector<std::vector<AlertDelivery>> out;
    out.reserve(alerts.size());
    std::size_t at = 0;
    for (const Webhooks* webhooks : alerts) {
        std::vector<AlertDelivery>& list = out.emplace_back();
        list.reserve(webhooks->size());
        for (const auto& [webhook, webhook_id] : *webhooks) {
            const rocksdb::Status& status = statuses[at];
            const std::string_view row_key = values[at].ToStringView();
            ++at;
            AlertDelivery& delivery =
                list.emplace_back(AlertDelivery{webhook, webhook_id, DeliveryState::delivered, 0, std::nullopt});
            if (status.IsNotFound()) {
                continue;  // the index entry goes when the alert is delivered
            }
            if (!status.ok()) {
                return core::fail(core::ErrorCode::store, "delivery state of " + webhook_id + ": " + status.ToString());
            }
            if (row_key.starts_with("o/")) {
                // Pending: the store's in-memory index has what we show, without reading and
                // parsing the row (its payload is most of its bytes).
                if (auto meta = store.outbox_meta(std::string(row_key))) {
                    delivery.state = DeliveryState::pending;
                    delivery.attempts = meta->attempts;
                    delivery.next_attempt = meta->next_attempt;
                    continue;
                }
            }
            std::string value;
            const rocksdb::Status read =
                db.Get(rocksdb::ReadOptions{}, rocksdb::Slice(row_key.data(), row_key.size()), &value);
            if (read.IsNotFound()) {
                continue;  // delivered meanwhile
            }
            if (!read.ok()) {
                return core::fail(core::ErrorCode::store, "delivery state of " + webhook_id + ": " + read.ToString());
            }
            delivery.state = row_key.starts_with("d/") ? DeliveryState::dead : DeliveryState::pending;
            if (auto entry = codec::decode_outbox_entry(value)) {
                delivery.attempts = entry->attempts;
                if (delivery.state == DeliveryState::pending) {
                    delivery.next_attempt = entry->next_attempt;
                }
            }
        }
    }
    return out;
}

core::Result<ArticlePage> articles_newest(const Store& store, const ArticleFilter& filter,
                                          const std::function<bool(const model::Article&)>& keep)
{
    ArticlePage page;
    rocksdb::DB& db = db_of(store);
    const std::string_view prefix = history::k_article_order_prefix;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions{}));
    const std::string start =
        filter.before > 0 ? sequence_key(prefix, filter.before) : std::string("t") + static_cast<char>('/' + 1);
    it->SeekForPrev(start);
    if (it->Valid() && filter.before > 0 && it->key().ToStringView() == start) {
        it->Prev();
    }
    bool reached_end = true;
    for (; it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())); it->Prev()) {
        if (page.articles.size() >= filter.limit || page.scanned >= filter.max_scanned) {
            reached_end = false;
            break;
        }
        ++page.scanned;
        page.next = sequence_of(it->key().ToStringView(), prefix);
        auto stored = store.article(it->value().ToString());
        if (!stored) {
            return tl::unexpected(stored.error());
        }
        if (!*stored) {
            continue;
        }
        auto& article = *stored;
        if (filter.since && article->first_seen < *filter.since) {
            break;  // commit order: everything further is older
        }
        if (!filter.feed_url.empty() && article->feed.url != filter.feed_url) {
            continue;
        }
        if (keep && !keep(*article)) {
            continue;
        }
        page.articles.push_back(std::move(*article));
    }
    if (!it->status().ok()) {
        return core::fail(core::ErrorCode::store, "list articles: " + it->status().ToString());
    }
    if (reached_end) {
        page.next = 0;
    }
    return page;
}

core::Result<std::vector<model::Article>> articles_after(const Store& store, std::uint64_t after_sequence,
                                                         core::Instant since)
{
    std::vector<model::Article> articles;
    rocksdb::DB& db = db_of(store);
    const std::string_view prefix = history::k_article_order_prefix;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions{}));
    const std::string bound = sequence_key(prefix, after_sequence);
    for (it->SeekForPrev(std::string("t") + static_cast<char>('/' + 1));
         it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())) &&
         it->key().ToStringView() > bound;
         it->Prev()) {
        auto stored = store.article(it->value().ToString());
        if (!stored) {
            return tl::unexpected(stored.error());
        }
        if (!*stored) {
            continue;
        }
        auto& article = *stored;
        if (article->first_seen < since) {
            break;  // commit order: everything further is older
        }
        articles.push_back(std::move(*article));
    }
    if (!it->status().ok()) {
        return core::fail(core::ErrorCode::store, "list articles: " + it->status().ToString());
    }
    std::reverse(articles.begin(), articles.end());
    return articles;
}

core::Result<std::vector<std::pair<std::string, FeedState>>> feed_states(const Store& store)
{
    std::vector<std::pair<std::string, FeedState>> states;
    std::unique_ptr<rocksdb::Iterator> it(db_of(store).NewIterator(rocksdb::ReadOptions{}));
    for (it->Seek("f/"); it->Valid() && it->key().starts_with("f/"); it->Next()) {
        auto state = codec::decode_feed_state(it->value().ToStringView());
        if (!state) {
            return tl::unexpected(state.error());
        }
        states.emplace_back(it->key().ToString().substr(2), std::move(*state));
    }
    if (!it->status().ok()) {
        return core::fail(core::ErrorCode::store, "list feeds: " + it->status().ToString());
    }
    return states;
}

}  // namespace feedwatch::store
