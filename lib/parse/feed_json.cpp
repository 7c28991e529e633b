#include "parse/feed_json.hpp"

#include <nlohmann/json.hpp>

namespace feedwatch::parse {
namespace {

using Json = nlohmann::ordered_json;

void put(Json& object, const char* key, const std::string& value)
{
    if (!value.empty()) {
        object[key] = value;
    }
}

void put(Json& object, const char* key, const std::optional<core::Instant>& value)
{
    if (value) {
        object[key] = core::format_rfc3339(*value);
    }
}

}  // namespace

std::string to_json(const model::ParsedFeed& feed)
{
    Json root = Json::object();
    root["format"] = feed.format;
    root["encoding"] = feed.encoding;
    root["malformed"] = feed.malformed;
    root["errors"] = feed.errors;

    Json meta = Json::object();
    put(meta, "title", feed.feed.title);
    put(meta, "link", feed.feed.link);
    put(meta, "id", feed.feed.id);
    put(meta, "subtitle", feed.feed.subtitle);
    put(meta, "language", feed.feed.language);
    put(meta, "updated", feed.feed.updated);
    put(meta, "author", feed.feed.author);
    put(meta, "generator", feed.feed.generator);
    put(meta, "image", feed.feed.image);
    root["feed"] = std::move(meta);

    Json items = Json::array();
    for (const model::Item& item : feed.items) {
        Json entry = Json::object();
        put(entry, "id", item.id);
        put(entry, "title", item.title);
        put(entry, "link", item.link);
        put(entry, "published", item.published);
        put(entry, "updated", item.updated);
        put(entry, "author", item.author);
        put(entry, "summary", item.summary);
        put(entry, "content", item.content);
        put(entry, "text", item.text);
        if (!item.categories.empty()) {
            entry["categories"] = item.categories;
        }
        if (!item.enclosures.empty()) {
            Json enclosures = Json::array();
            for (const model::Enclosure& enclosure : item.enclosures) {
                Json object = Json::object();
                put(object, "url", enclosure.url);
                put(object, "type", enclosure.type);
                if (enclosure.length > 0) {
                    object["length"] = enclosure.length;
                }
                enclosures.push_back(std::move(object));
            }
            entry["enclosures"] = std::move(enclosures);
        }
        items.push_back(std::move(entry));
    }
    root["items"] = std::move(items);
    return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace feedwatch::parse
