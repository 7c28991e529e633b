#include "store/codec.hpp"

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace feedwatch::store::codec {
namespace {

using nlohmann::json;

std::string dump(const json& value)
{
    // Replace rather than throw on invalid UTF-8 (nlohmann type_error.316).
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json instant_to_json(core::Instant instant)
{
    return static_cast<std::int64_t>(instant.time_since_epoch().count());
}

json optional_instant_to_json(const std::optional<core::Instant>& instant)
{
    return instant ? instant_to_json(*instant) : json(nullptr);
}

core::Instant instant_from_json(const json& value)
{
    return core::Instant{std::chrono::seconds{value.get<std::int64_t>()}};
}

std::optional<core::Instant> optional_instant_from_json(const json& object, const char* name)
{
    const auto found = object.find(name);
    if (found == object.end() || found->is_null()) {
        return std::nullopt;
    }
    return instant_from_json(*found);
}

std::string string_of(const json& object, const char* name)
{
    const auto found = object.find(name);
    return found == object.end() || found->is_null() ? std::string{} : found->get<std::string>();
}

template <class T, class Decode>
core::Result<T> decode(std::string_view text, const char* what, Decode&& decode_object)
{
    const json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return core::fail(core::ErrorCode::store, std::string("corrupt ") + what + " row: not a JSON object");
    }
    try {
        return decode_object(parsed);
    } catch (const json::exception& error) {
        return core::fail(core::ErrorCode::store, std::string("corrupt ") + what + " row: " + error.what());
    }
}

}  // namespace

// Built member by member: a braced initializer list copies every nested value again (the
// summary, content and text of each article two or three times) before the object is built.
std::string encode_article(const model::Article& article)
{
    const model::Item& item = article.item;
    json enclosures = json::array();
    for (const model::Enclosure& enclosure : item.enclosures) {
        json row = json::object();
        row["url"] = enclosure.url;
        row["type"] = enclosure.type;
        row["length"] = enclosure.length;
        enclosures.push_back(std::move(row));
    }
    json feed = json::object();
    feed["url"] = article.feed.url;
    feed["title"] = article.feed.title;
    json fields = json::object();
    fields["id"] = item.id;
    fields["title"] = item.title;
    fields["link"] = item.link;
    fields["published"] = optional_instant_to_json(item.published);
    fields["updated"] = optional_instant_to_json(item.updated);
    fields["author"] = item.author;
    fields["summary"] = item.summary;
    fields["content"] = item.content;
    fields["text"] = item.text;
    fields["categories"] = item.categories;
    fields["enclosures"] = std::move(enclosures);
    json value = json::object();
    value["id"] = article.id;
    value["feed"] = std::move(feed);
    value["first_seen"] = instant_to_json(article.first_seen);
    value["story"] = article.story;
    value["item"] = std::move(fields);
    return dump(value);
}

std::string encode_feed_state(const FeedState& state)
{
    const json value = {
        {"etag", state.etag},
        {"last_modified", state.last_modified},
        {"title", state.title},
        {"last_success", optional_instant_to_json(state.last_success)},
        {"consecutive_errors", state.consecutive_errors},
        {"next_poll", optional_instant_to_json(state.next_poll)},
        {"interval_seconds", state.interval_seconds},
        {"moved_to", state.moved_to},
        {"disabled", state.disabled},
        {"last_outcome", state.last_outcome},
        {"last_status", state.last_status},
        {"last_poll", optional_instant_to_json(state.last_poll)},
        {"items_seen", state.items_seen},
    };
    return dump(value);
}

std::string encode_outbox_entry(const model::OutboxEntry& entry)
{
    const json value = {
        {"webhook", entry.webhook},
        {"webhook_id", entry.webhook_id},
        {"watchlist", entry.watchlist},
        {"article_id", entry.article_id},
        {"body", entry.body},
        {"created", instant_to_json(entry.created)},
        {"next_attempt", instant_to_json(entry.next_attempt)},
        {"attempts", entry.attempts},
    };
    if (entry.digest.empty()) {
        return dump(value);  // the rows written before story digests, unchanged
    }
    json with_digest = value;
    with_digest["digest"] = entry.digest;
    return dump(with_digest);
}

core::Result<model::Article> decode_article(std::string_view text)
{
    return decode<model::Article>(text, "article", [](const json& value) {
        model::Article article;
        article.id = string_of(value, "id");
        const json& feed = value.at("feed");
        article.feed.url = string_of(feed, "url");
        article.feed.title = string_of(feed, "title");
        article.first_seen = instant_from_json(value.at("first_seen"));
        article.story = string_of(value, "story");  // absent in rows written before stories
        const json& item_json = value.at("item");
        model::Item& item = article.item;
        item.id = string_of(item_json, "id");
        item.title = string_of(item_json, "title");
        item.link = string_of(item_json, "link");
        item.published = optional_instant_from_json(item_json, "published");
        item.updated = optional_instant_from_json(item_json, "updated");
        item.author = string_of(item_json, "author");
        item.summary = string_of(item_json, "summary");
        item.content = string_of(item_json, "content");
        item.text = string_of(item_json, "text");
        if (const auto categories = item_json.find("categories"); categories != item_json.end()) {
            item.categories = categories->get<std::vector<std::string>>();
        }
        if (const auto enclosures = item_json.find("enclosures"); enclosures != item_json.end()) {
            for (const json& enclosure : *enclosures) {
                model::Enclosure decoded;
                decoded.url = string_of(enclosure, "url");
                decoded.type = string_of(enclosure, "type");
                decoded.length = enclosure.value("length", std::uint64_t{0});
                item.enclosures.push_back(std::move(decoded));
            }
        }
        return article;
    });
}

core::Result<FeedState> decode_feed_state(std::string_view text)
{
    return decode<FeedState>(text, "feed state", [](const json& value) {
        FeedState state;
        state.etag = string_of(value, "etag");
        state.last_modified = string_of(value, "last_modified");
        state.title = string_of(value, "title");
        state.last_success = optional_instant_from_json(value, "last_success");
        state.consecutive_errors = value.value("consecutive_errors", 0);
        state.next_poll = optional_instant_from_json(value, "next_poll");
        state.interval_seconds = value.value("interval_seconds", std::int64_t{0});
        state.moved_to = string_of(value, "moved_to");
        state.disabled = value.value("disabled", false);
        state.last_outcome = string_of(value, "last_outcome");
        state.last_status = value.value("last_status", 0L);
        state.last_poll = optional_instant_from_json(value, "last_poll");
        state.items_seen = value.value("items_seen", std::int64_t{0});
        return state;
    });
}

core::Result<model::OutboxEntry> decode_outbox_entry(std::string_view text)
{
    return decode<model::OutboxEntry>(text, "outbox", [](const json& value) {
        model::OutboxEntry entry;
        entry.webhook = string_of(value, "webhook");
        entry.webhook_id = string_of(value, "webhook_id");
        entry.watchlist = string_of(value, "watchlist");
        entry.article_id = string_of(value, "article_id");
        entry.body = string_of(value, "body");
        entry.created = instant_from_json(value.at("created"));
        entry.next_attempt = instant_from_json(value.at("next_attempt"));
        entry.attempts = value.value("attempts", 0);
        entry.digest = string_of(value, "digest");
        return entry;
    });
}

}  // namespace feedwatch::store::codec
