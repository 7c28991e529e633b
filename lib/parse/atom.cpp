// Atom 1.0 (RFC 4287) and the Atom 0.3 draft it replaced.
#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <utility>

#include "parse/dates.hpp"
#include "parse/dialects.hpp"
#include "parse/encoding.hpp"
#include "parse/html_text.hpp"
#include "parse/urls.hpp"

namespace feedwatch::parse {
namespace {

enum class TextKind { text, html, xhtml };

struct TextConstruct {
    std::string value;  // as published: text, or HTML (xhtml serialised)
    TextKind kind = TextKind::text;
};

struct Dialect {
    std::string_view ns;  // the root's namespace
    bool draft03 = false;
    const ReadContext* context = nullptr;
};

// RFC 4648 §4 base64, whitespace ignored, decoding stops at the first other character.
std::string decode_base64(std::string_view text)
{
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
        int value = -1;
        if (c >= 'A' && c <= 'Z') {
            value = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            value = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            value = c - '0' + 52;
        } else if (c == '+' || c == '-') {
            value = 62;
        } else if (c == '/' || c == '_') {
            value = 63;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        } else {
            break;  // '=' padding or garbage
        }
        buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return repair_utf8(out);
}

// RFC 4287 §4.1.3.3: a content type that is neither text/*, XML nor html/xhtml is base64.
bool is_base64_type(std::string_view type)
{
    if (type.empty() || type == "text" || type == "html" || type == "xhtml" || type.rfind("text/", 0) == 0) {
        return false;
    }
    const auto ends_with = [&](std::string_view suffix) {
        return type.size() >= suffix.size() && type.substr(type.size() - suffix.size()) == suffix;
    };
    return type.find('/') != std::string_view::npos && !ends_with("+xml") && !ends_with("/xml");
}

// RFC 4287 §3.1; Atom 0.3 used MIME types and a "mode" attribute instead.
TextConstruct read_text_construct(pugi::xml_node node, const Dialect& dialect)
{
    TextConstruct construct;
    if (!node) {
        return construct;
    }
    const std::string_view type = xml::trim(node.attribute("type").as_string());
    // Atom 1.0 base64 is defined for atom:content (§4.1.3.3); text constructs with a MIME
    // type in the wild are decoded too, but only when the value is strict base64 of valid
    // UTF-8 (a title "test" of a custom type stays "test").
    bool base64 = dialect.draft03 ? xml::trim(node.attribute("mode").as_string()) == "base64" : is_base64_type(type);
    if (base64 && !dialect.draft03 && xml::local_name(node) != "content") {
        std::string compact;
        for (const char c : xml::text(node)) {
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                compact.push_back(c);
            }
        }
        const bool alphabet = std::all_of(compact.begin(), compact.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                   c == '/' || c == '=';
        });
        std::string raw;
        if (alphabet && !compact.empty() && compact.size() % 4 == 0) {
            std::uint32_t buffer = 0;
            int bits = 0;
            for (const char c : compact) {
                if (c == '=') {
                    break;
                }
                const int value = c >= 'A' && c <= 'Z'   ? c - 'A'
                                  : c >= 'a' && c <= 'z' ? c - 'a' + 26
                                  : c >= '0' && c <= '9' ? c - '0' + 52
                                  : c == '+'             ? 62
                                                         : 63;
                buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    raw.push_back(static_cast<char>((buffer >> bits) & 0xFF));
                }
            }
        }
        base64 = alphabet && !raw.empty() && is_valid_utf8(raw);
    }
    if (base64) {
        construct.value = decode_base64(xml::text(node));
        construct.kind = type.find("html") != std::string_view::npos ? TextKind::html : TextKind::text;
        if (construct.kind == TextKind::html) {
            construct.value = resolve_html_urls(construct.value, xml::base_uri(node, dialect.context->base_url));
        }
        return construct;
    }
    if (dialect.draft03) {
        const std::string_view mode = xml::trim(node.attribute("mode").as_string());
        if (mode == "xml") {
            construct.kind = TextKind::xhtml;
        } else if (type.find("html") != std::string_view::npos) {
            construct.kind = TextKind::html;
        }
    } else if (type == "html" || type == "text/html") {
        construct.kind = TextKind::html;
    } else if (type == "xhtml" || type == "application/xhtml+xml") {
        construct.kind = TextKind::xhtml;
    }
    if (construct.kind == TextKind::xhtml) {
        // Atom 1.0 §3.1.1.3: the content is a single xhtml:div that is not part of it.
        // Atom 0.3 mode="xml" has no such wrapper: its child elements are the content.
        pugi::xml_node div;
        int elements = 0;
        for (pugi::xml_node part = node.first_child(); part; part = part.next_sibling()) {
            if (part.type() == pugi::node_element) {
                ++elements;
                div = part;
            }
        }
        if (elements != 1 || xml::local_name(div) != "div" || dialect.draft03) {
            div = pugi::xml_node{};
        }
        construct.value = xml::inner_xml(div ? div : node);
    } else {
        construct.value = xml::text(node);
    }
    if (construct.kind != TextKind::text && construct.value.find('<') != std::string::npos) {
        construct.value = resolve_html_urls(construct.value, xml::base_uri(node, dialect.context->base_url));
    }
    return construct;
}

std::string plain_text(const TextConstruct& construct, NoBreakSpace no_break_space = NoBreakSpace::collapse)
{
    return construct.kind == TextKind::text ? collapse_whitespace(construct.value, no_break_space)
                                            : html_to_text(construct.value, no_break_space);
}

pugi::xml_node child(pugi::xml_node parent, const Dialect& dialect, std::string_view local)
{
    return xml::child(parent, dialect.ns, local);
}

std::string child_text(pugi::xml_node parent, const Dialect& dialect, std::string_view local)
{
    return std::string(xml::trim(xml::text(child(parent, dialect, local))));
}

std::optional<core::Instant> child_date(pugi::xml_node parent, const Dialect& dialect,
                                        std::initializer_list<std::string_view> names)
{
    for (const std::string_view local : names) {
        if (const pugi::xml_node node = child(parent, dialect, local)) {
            if (auto instant = parse_date(xml::text(node))) {
                return instant;
            }
        }
    }
    return std::nullopt;
}

std::string resolved(pugi::xml_node node, std::string_view value, const Dialect& dialect)
{
    if (value.empty() || !is_safe_link(value)) {
        return {};
    }
    return normalize_http_url(resolve_url(xml::base_uri(node, dialect.context->base_url), value));
}

// §4.2.7.2: no rel means "alternate". Prefers an HTML alternate when there are several.
std::string alternate_link(pugi::xml_node parent, const Dialect& dialect)
{
    std::string first;
    for (pugi::xml_node node = parent.first_child(); node; node = node.next_sibling()) {
        if (!xml::is(node, dialect.ns, "link")) {
            continue;
        }
        const std::string_view rel = xml::trim(node.attribute("rel").as_string("alternate"));
        std::string_view href = xml::trim(node.attribute("href").as_string());
        if (href.empty() && dialect.draft03) {
            href = xml::trim(node.child_value());  // some 0.3 feeds put the URL in the text
        }
        if ((rel != "alternate" && rel != "http://www.iana.org/assignments/relation/alternate") || href.empty()) {
            continue;
        }
        const std::string_view type = node.attribute("type").as_string();
        if (type.empty() || type.find("html") != std::string_view::npos) {
            return resolved(node, href, dialect);
        }
        if (first.empty()) {
            first = resolved(node, href, dialect);
        }
    }
    return first;
}

// RFC 4287 §4.2.6: an id is an IRI, and relative references in Atom resolve against
// xml:base, else the document URL (§2, XML Base). Only path references ("/p/1", "./p",
// "../p") are resolved: ids like "1234" or "Correct Value" are opaque strings in the wild,
// and rewriting them would change the seen keys of every such feed.
std::string entry_id(pugi::xml_node parent, const Dialect& dialect)
{
    const pugi::xml_node node = child(parent, dialect, "id");
    std::string id(xml::trim(xml::text(node)));
    const bool path_reference = id.rfind("/", 0) == 0 || id.rfind("./", 0) == 0 || id.rfind("../", 0) == 0;
    if (!path_reference) {
        return id;
    }
    const std::string base = xml::base_uri(node, dialect.context->base_url);
    return base.empty() ? id : resolve_url(base, id);
}

std::string person_name(pugi::xml_node parent, const Dialect& dialect)
{
    for (pugi::xml_node node = parent.first_child(); node; node = node.next_sibling()) {
        if (xml::is(node, dialect.ns, "author")) {
            std::string name = child_text(node, dialect, "name");
            if (name.empty()) {
                name = child_text(node, dialect, "email");
            }
            if (!name.empty()) {
                return collapse_whitespace(name);
            }
        }
    }
    return {};
}

model::Item read_entry(pugi::xml_node entry, const Dialect& dialect, const std::string& feed_author)
{
    model::Item item;
    item.id = entry_id(entry, dialect);
    item.title = plain_text(read_text_construct(child(entry, dialect, "title"), dialect), NoBreakSpace::keep);
    item.link = alternate_link(entry, dialect);
    item.published = child_date(entry, dialect, {"published", "issued", "created"});
    item.updated = child_date(entry, dialect, {"updated", "modified"});
    item.author = person_name(entry, dialect);
    if (item.author.empty()) {
        // §4.2.1: an entry without author inherits the source's, then the feed's.
        if (const pugi::xml_node source = child(entry, dialect, "source")) {
            item.author = person_name(source, dialect);
        }
        if (item.author.empty()) {
            item.author = feed_author;
        }
    }
    if (item.author.empty()) {
        item.author = std::string(xml::trim(xml::text(xml::child(entry, xml::ns::dc, "creator"))));
    }
    const TextConstruct summary = read_text_construct(child(entry, dialect, "summary"), dialect);
    const TextConstruct content = read_text_construct(child(entry, dialect, "content"), dialect);
    item.summary = summary.value;
    item.content = content.value;
    item.text = !xml::trim(content.value).empty() ? plain_text(content) : plain_text(summary);
    if (xml::trim(item.summary).empty() && xml::trim(item.content).empty()) {
        // Media RSS in Atom (video and podcast feeds): <media:description>, directly or in
        // a <media:group>, is the only description such an entry has.
        pugi::xml_node description = xml::child(entry, xml::ns::media, "description");
        if (!description) {
            description = xml::child(xml::child(entry, xml::ns::media, "group"), xml::ns::media, "description");
        }
        if (description) {
            TextConstruct media;
            media.value = xml::text(description);
            media.kind = std::string_view(description.attribute("type").as_string()) == "html" ? TextKind::html
                                                                                             : TextKind::text;
            if (media.kind == TextKind::html && media.value.find('<') != std::string::npos) {
                media.value = resolve_html_urls(media.value, xml::base_uri(description, dialect.context->base_url));
            }
            item.summary = media.value;
            item.text = plain_text(media);
        }
    }
    for (pugi::xml_node node = entry.first_child(); node; node = node.next_sibling()) {
        std::string category;
        if (xml::is(node, dialect.ns, "category")) {
            category = collapse_whitespace(node.attribute("term").as_string());
        } else if (xml::is(node, xml::ns::dc, "subject")) {
            category = collapse_whitespace(xml::text(node));
        } else if (xml::is(node, dialect.ns, "link") &&
                   std::string_view(xml::trim(node.attribute("rel").as_string())) == "enclosure") {
            model::Enclosure enclosure;
            enclosure.url = resolved(node, xml::trim(node.attribute("href").as_string()), dialect);
            enclosure.type = xml::trim(node.attribute("type").as_string());
            const std::string_view length = xml::trim(node.attribute("length").as_string());
            std::uint64_t value = 0;
            const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), value);
            enclosure.length = (error == std::errc{} && end == length.data() + length.size()) ? value : 0;
            if (!enclosure.url.empty()) {
                item.enclosures.push_back(std::move(enclosure));
            }
        }
        if (!category.empty() &&
            std::find(item.categories.begin(), item.categories.end(), category) == item.categories.end()) {
            item.categories.push_back(std::move(category));
        }
    }
    return item;
}

}  // namespace

void read_atom(pugi::xml_node root, ReadContext& context, model::ParsedFeed& out)
{
    Dialect dialect;
    dialect.ns = xml::namespace_uri(root);
    dialect.draft03 = dialect.ns == xml::ns::atom03 || xml::trim(root.attribute("version").as_string()) == "0.3";
    dialect.context = &context;
    out.format = dialect.draft03 ? "atom0.3" : "atom1.0";

    if (xml::local_name(root) == "entry") {
        out.items.push_back(read_entry(root, dialect, {}));
        return;
    }
    model::FeedMeta& meta = out.feed;
    meta.title = plain_text(read_text_construct(child(root, dialect, "title"), dialect), NoBreakSpace::keep);
    meta.link = alternate_link(root, dialect);
    meta.id = entry_id(root, dialect);
    meta.subtitle = plain_text(read_text_construct(child(root, dialect, dialect.draft03 ? "tagline" : "subtitle"), dialect),
                               NoBreakSpace::keep);
    meta.language = xml::trim(root.attribute("xml:lang").as_string());
    meta.updated = child_date(root, dialect, {"updated", "modified"});
    meta.author = person_name(root, dialect);
    meta.generator = collapse_whitespace(xml::text(child(root, dialect, "generator")));
    for (const std::string_view image : {"logo", "icon"}) {
        if (const pugi::xml_node node = child(root, dialect, image); node && meta.image.empty()) {
            meta.image = resolved(node, xml::trim(xml::text(node)), dialect);
        }
    }

    for (pugi::xml_node node = root.first_child(); node; node = node.next_sibling()) {
        if (xml::is(node, dialect.ns, "entry") && context.keep(node)) {
            out.items.push_back(read_entry(node, dialect, meta.author));
        }
    }
}

}  // namespace feedwatch::parse
