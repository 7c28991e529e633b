// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/), with nlohmann-json.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "parse/dates.hpp"
#include "parse/dialects.hpp"
#include "parse/encoding.hpp"
#include "parse/html_text.hpp"
#include "parse/urls.hpp"

namespace feedwatch::parse {
namespace {

using Json = nlohmann::json;

// A string member, or "" when absent or not a string (feeds in the wild put numbers and
// nulls where strings belong). Strings are repaired to valid UTF-8.
std::string string_member(const Json& object, const char* key)
{
    if (!object.is_object()) {
        return {};
    }
    const auto found = object.find(key);
    if (found == object.end()) {
        return {};
    }
    if (found->is_string()) {
        return repair_utf8(found->get_ref<const std::string&>());
    }
    if (found->is_number_integer() || found->is_number_unsigned()) {
        return found->dump();  // "id": 123 is common; 1.1 says ids are strings
    }
    return {};
}

std::string link(const Json& object, const char* key, std::string_view base)
{
    const std::string value(xml::trim(string_member(object, key)));
    if (value.empty() || !is_safe_link(value)) {
        return {};
    }
    return normalize_http_url(resolve_url(base, value));
}

// 1.1 "authors": [{name, url}], 1.0 "author": {name, url}.
std::string author_name(const Json& object)
{
    if (const auto authors = object.find("authors"); authors != object.end() && authors->is_array()) {
        for (const Json& author : *authors) {
            std::string name = collapse_whitespace(string_member(author, "name"));
            if (!name.empty()) {
                return name;
            }
        }
    }
    if (const auto author = object.find("author"); author != object.end() && author->is_object()) {
        return collapse_whitespace(string_member(*author, "name"));
    }
    return {};
}

model::Item read_item(const Json& object, std::string_view base, const std::string& feed_author)
{
    model::Item item;
    item.id = std::string(xml::trim(string_member(object, "id")));
    item.link = link(object, "url", base);
    if (item.link.empty()) {
        item.link = link(object, "external_url", base);
    }
    item.title = collapse_whitespace(string_member(object, "title"), NoBreakSpace::keep);
    item.published = parse_date(string_member(object, "date_published"));
    item.updated = parse_date(string_member(object, "date_modified"));
    item.author = author_name(object);
    if (item.author.empty()) {
        item.author = feed_author;
    }
    item.summary = string_member(object, "summary");
    item.content = resolve_html_urls(string_member(object, "content_html"), item.link.empty() ? base : item.link);
    const std::string content_text = string_member(object, "content_text");
    if (item.content.empty()) {
        item.content = content_text;
        item.text = collapse_whitespace(content_text);
    } else {
        item.text = html_to_text(item.content);
    }
    if (item.text.empty()) {
        item.text = collapse_whitespace(item.summary);
    }
    if (const auto tags = object.find("tags"); tags != object.end() && tags->is_array()) {
        for (const Json& tag : *tags) {
            if (tag.is_string()) {
                std::string category = collapse_whitespace(repair_utf8(tag.get_ref<const std::string&>()));
                if (!category.empty() &&
                    std::find(item.categories.begin(), item.categories.end(), category) == item.categories.end()) {
                    item.categories.push_back(std::move(category));
                }
            }
        }
    }
    if (const auto attachments = object.find("attachments"); attachments != object.end() && attachments->is_array()) {
        for (const Json& attachment : *attachments) {
            model::Enclosure enclosure;
            enclosure.url = link(attachment, "url", base);
            enclosure.type = string_member(attachment, "mime_type");
            if (const auto size = attachment.find("size_in_bytes");
                attachment.is_object() && size != attachment.end() && size->is_number_unsigned()) {
                enclosure.length = size->get<std::uint64_t>();
            }
            if (!enclosure.url.empty()) {
                item.enclosures.push_back(std::move(enclosure));
            }
        }
    }
    return item;
}

}  // namespace

bool read_json_feed(std::string_view document, const ReadContext& context, model::ParsedFeed& out, std::string& error)
{
    // nlohmann's parser recurses per nesting level: refuse absurd depth before parsing
    // (JSON Feed needs 4 levels; 64 leaves room for extensions).
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < document.size(); ++i) {
        const char c = document[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > 64) {
                error = "JSON nested deeper than 64 levels";
                return false;
            }
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    Json root = Json::parse(document.begin(), document.end(), nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        error = "not a feed: invalid JSON";
        return false;
    }
    const std::string version = string_member(root, "version");
    if (version.rfind("https://jsonfeed.org/version/", 0) != 0 && version.rfind("http://jsonfeed.org/version/", 0) != 0) {
        error = "not a feed: JSON without a jsonfeed.org version";
        return false;
    }
    out.format = version.find("/version/1.1") != std::string::npos ? "jsonfeed1.1" : "jsonfeed1.0";
    model::FeedMeta& meta = out.feed;
    const std::string_view base = context.base_url;
    meta.title = collapse_whitespace(string_member(root, "title"), NoBreakSpace::keep);
    meta.link = link(root, "home_page_url", base);
    meta.id = link(root, "feed_url", base);
    meta.subtitle = collapse_whitespace(string_member(root, "description"), NoBreakSpace::keep);
    meta.language = string_member(root, "language");
    meta.author = author_name(root);
    meta.image = link(root, "icon", base);
    if (meta.image.empty()) {
        meta.image = link(root, "favicon", base);
    }
    const std::string item_base = meta.link.empty() ? std::string(base) : meta.link;
    if (const auto items = root.find("items"); items != root.end() && items->is_array()) {
        out.items.reserve(items->size());
        for (const Json& object : *items) {
            if (object.is_object()) {
                out.items.push_back(read_item(object, item_base, meta.author));
            }
        }
    }
    return true;
}

}  // namespace feedwatch::parse
