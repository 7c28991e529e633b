// The parse stage: bytes -> UTF-8 -> repaired references -> pugixml -> dialect reader ->
// stable, unique item ids.
#include "parse/parser.hpp"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include <pugixml.hpp>

#include "core/digest.hpp"
#include "parse/dialects.hpp"
#include "parse/encoding.hpp"
#include "parse/entities.hpp"

namespace feedwatch::parse {
namespace {

enum class Dialect { rss, atom, none };

std::string_view skip_leading_space(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' || text.front() == '\n')) {
        text.remove_prefix(1);
    }
    return text;
}

Dialect dialect_of(pugi::xml_node root)
{
    const std::string_view local = xml::local_name(root);
    if (local == "rss") {
        return Dialect::rss;
    }
    if (local == "RDF" && xml::namespace_uri(root) == xml::ns::rdf) {
        return Dialect::rss;
    }
    if (local == "feed" || local == "entry") {  // RFC 4287 §4.1.2: an entry document  // any namespace: drafts and private namespaces exist in the wild
        return Dialect::atom;
    }
    return Dialect::none;
}

// Id fallback and de-duplication: ids key the seen index, so they must be stable across
// fetches and unique within the feed.
void assign_ids(std::vector<model::Item>& items)
{
    std::unordered_set<std::string> used;
    // Next suffix to try per duplicated id: n copies of one id cost O(n), not O(n^2).
    std::unordered_map<std::string, std::size_t> next_suffix;
    used.reserve(items.size());
    for (model::Item& item : items) {
        if (item.id.empty()) {
            item.id = item.link;
        }
        if (item.id.empty()) {
            const auto& date = item.published ? item.published : item.updated;
            const std::string date_text = date ? core::format_rfc3339(*date) : std::string{};
            const std::string& body = item.content.empty() ? item.summary : item.content;
            item.id = "sha256:" + core::sha256_hex(item.title + "\n" + date_text + "\n" + body);
        }
        if (used.insert(item.id).second) {
            continue;
        }
        std::size_t& n = next_suffix.try_emplace(item.id, 2).first->second;
        for (;; ++n) {
            std::string candidate = item.id + "#" + std::to_string(n);
            if (used.insert(candidate).second) {
                item.id = std::move(candidate);
                ++n;
                break;
            }
        }
    }
}

// Character repairs on the fields people read and match (not ids, links or dates): the
// C1 controls of windows-1252 punctuation taken as Unicode, and, in a UTF-8 document,
// text that was UTF-8 read as windows-1252 and encoded again. Runs after assign_ids so
// that fallback ids hash the published bytes and stay what they were.
void repair_text_fields(model::ParsedFeed& feed, bool utf8_source)
{
    const auto repair = [utf8_source](std::string& text) {
        if (utf8_source) {
            undo_double_encoding(text);
        }
        map_c1_controls(text);
    };
    repair(feed.feed.title);
    repair(feed.feed.subtitle);
    repair(feed.feed.author);
    for (model::Item& item : feed.items) {
        repair(item.title);
        repair(item.author);
        repair(item.summary);
        repair(item.content);
        repair(item.text);
        for (std::string& category : item.categories) {
            repair(category);
        }
    }
}

// The promise that every string of the result is UTF-8, kept whatever path produced it:
// pugixml encodes numeric references it decodes itself without checking them, and in
// recovery it can read text that normalize_xml_references took for the inside of an
// unclosed comment (fuzz seed crash-unclosed-comment-numeric-reference). Invalid sequences become
// U+FFFD; valid strings are only scanned.
void ensure_utf8(model::ParsedFeed& feed)
{
    const auto ensure = [](std::string& text) {
        if (!is_valid_utf8(text)) {
            text = repair_utf8(text);
        }
    };
    for (std::string* text : {&feed.feed.title, &feed.feed.link, &feed.feed.id, &feed.feed.subtitle, &feed.feed.language,
                              &feed.feed.author, &feed.feed.generator, &feed.feed.image}) {
        ensure(*text);
    }
    for (std::string& error : feed.errors) {
        ensure(error);
    }
    for (model::Item& item : feed.items) {
        for (std::string* text : {&item.id, &item.title, &item.link, &item.author, &item.summary, &item.content, &item.text}) {
            ensure(*text);
        }
        for (std::string& category : item.categories) {
            ensure(category);
        }
        for (model::Enclosure& enclosure : item.enclosures) {
            ensure(enclosure.url);
            ensure(enclosure.type);
        }
    }
}

}  // namespace

core::Result<model::ParsedFeed> parse_feed(std::string_view document, const ParseOptions& options)
{
    DecodedDocument decoded = decode_to_utf8(document, options.content_type);
    const std::string_view start = skip_leading_space(decoded.text);
    if (start.empty()) {
        return core::fail(core::ErrorCode::parse, "not a feed: empty document");
    }
    if (start.front() == '{' || start.front() == '[') {
        model::ParsedFeed out;
        out.encoding = decoded.encoding;
        out.malformed = decoded.malformed;
        out.errors = std::move(decoded.errors);
        ReadContext context;
        context.base_url = options.base_url;
        std::string error;
        if (!read_json_feed(start, context, out, error)) {
            return core::fail(core::ErrorCode::parse, error);
        }
        assign_ids(out.items);
        repair_text_fields(out, out.encoding == "utf-8");
        ensure_utf8(out);
        return out;
    }
    if (start.front() != '<') {
        return core::fail(core::ErrorCode::parse, "not a feed: the document does not start with markup");
    }

    model::ParsedFeed out;
    out.encoding = decoded.encoding;
    out.malformed = decoded.malformed;
    out.errors = std::move(decoded.errors);

    // pugixml-ready text: references normalised, raw NULs (never valid XML; they end
    // pugixml's parse) replaced. Works on the decoded text itself: no copy unless a
    // reference or a NUL must change.
    const auto prepare = [](std::string& text) {
        std::string rewritten;
        if (normalize_xml_references(text, rewritten)) {
            text = std::move(rewritten);
        }
        if (text.find('\0') != std::string::npos) {
            std::string replaced;
            replaced.reserve(text.size() + 16);
            for (char c : text) {
                if (c == '\0') {
                    replaced.append("\xEF\xBF\xBD");
                } else {
                    replaced.push_back(c);
                }
            }
            text = std::move(replaced);
        }
    };
    if (decoded.text.find('\0') != std::string::npos) {
        out.malformed = true;
        out.errors.push_back("raw NUL bytes replaced by U+FFFD");
    }
    std::string text = std::move(decoded.text);
    prepare(text);

    // In-place parsing saves a copy of the document; when it fails, the recovery below
    // needs the unmodified text, so it is decoded and prepared again (the rare path) and
    // parsed from a copy.
    pugi::xml_document doc;
    pugi::xml_parse_result result =
        doc.load_buffer_inplace(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!result) {
        text = decode_to_utf8(document, options.content_type).text;
        prepare(text);
        result = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    }
    const pugi::xml_node root = doc.document_element();
    const std::string where = "offset " + std::to_string(result.offset) + ": " + result.description();
    if (!root) {
        return core::fail(core::ErrorCode::parse, "not a feed: no root element (" + where + ")");
    }
    const Dialect dialect = dialect_of(root);
    if (dialect == Dialect::none) {
        const std::string_view local = xml::local_name(root);
        if (local == "html" || local == "HTML") {
            return core::fail(core::ErrorCode::parse, "not a feed: an HTML page (root element <html>)");
        }
        return core::fail(core::ErrorCode::parse,
                          "not a feed: unknown root element <" + std::string(root.name()).substr(0, 64) + ">");
    }

    xml::Recovery recovery{text, result.offset < 0 ? 0 : static_cast<std::size_t>(result.offset)};
    ReadContext context;
    context.base_url = options.base_url;
    if (!result) {
        out.malformed = true;
        out.errors.push_back(where);
        context.recovery = &recovery;
    }
    if (dialect == Dialect::rss) {
        read_rss(root, context, out);
    } else {
        read_atom(root, context, out);
    }
    if (context.dropped_items > 0) {
        out.errors.push_back("dropped " + std::to_string(context.dropped_items) + " incomplete item(s)");
    }
    assign_ids(out.items);
    repair_text_fields(out, out.encoding == "utf-8");
    ensure_utf8(out);
    return out;
}

}  // namespace feedwatch::parse
