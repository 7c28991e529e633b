// RSS 2.0 (https://www.rssboard.org/rss-specification), 0.91/0.92, and RDF-based RSS 0.90
// and 1.0 (https://web.resource.org/rss/1.0/spec), with the Dublin Core and content modules.
#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <utility>

#include "parse/dates.hpp"
#include "parse/dialects.hpp"
#include "parse/html_text.hpp"
#include "parse/urls.hpp"

namespace feedwatch::parse {
namespace {

using Name = std::pair<std::string_view, std::string_view>;  // namespace, local name

// Trimmed text of the first child matching one of names, tried in order.
std::string first_text(pugi::xml_node parent, std::initializer_list<Name> names)
{
    for (const auto& [ns, local] : names) {
        if (const pugi::xml_node node = xml::child(parent, ns, local)) {
            std::string value(xml::trim(xml::text(node)));
            if (!value.empty()) {
                return value;
            }
        }
    }
    return {};
}

std::optional<core::Instant> first_date(pugi::xml_node parent, std::initializer_list<Name> names)
{
    for (const auto& [ns, local] : names) {
        if (const pugi::xml_node node = xml::child(parent, ns, local)) {
            if (auto instant = parse_date(xml::text(node))) {
                return instant;
            }
        }
    }
    return std::nullopt;
}

std::string resolved_link(pugi::xml_node node, std::string_view value, const ReadContext& context)
{
    if (value.empty() || !is_safe_link(value)) {
        return {};
    }
    return normalize_http_url(resolve_url(xml::base_uri(node, context.base_url), value));
}

// Element text as published, with relative URLs inside its HTML made absolute against the
// element's base (xml:base, else the document URL).
std::string html_value(pugi::xml_node node, const ReadContext& context)
{
    std::string value = xml::text(node);
    if (value.find('<') == std::string::npos) {
        return value;
    }
    return resolve_html_urls(value, xml::base_uri(node, context.base_url));
}

// <link> in the RSS namespace, else an atom:link rel="alternate" (or without rel).
std::string channel_or_item_link(pugi::xml_node parent, std::string_view rss_ns, const ReadContext& context)
{
    if (const pugi::xml_node link = xml::child(parent, rss_ns, "link")) {
        const std::string value(xml::trim(xml::text(link)));
        if (!value.empty()) {
            return resolved_link(link, value, context);
        }
    }
    for (pugi::xml_node node = parent.first_child(); node; node = node.next_sibling()) {
        if (xml::is(node, xml::ns::atom10, "link")) {
            const std::string_view rel = node.attribute("rel").as_string("alternate");
            const std::string value(xml::trim(node.attribute("href").as_string()));
            if (rel == "alternate" && !value.empty()) {
                return resolved_link(node, value, context);
            }
        }
    }
    return {};
}

void add_unique(std::vector<std::string>& values, std::string value)
{
    if (value.empty()) {
        return;
    }
    for (const std::string& existing : values) {
        if (existing == value) {
            return;
        }
    }
    values.push_back(std::move(value));
}

std::uint64_t parse_length(std::string_view text)
{
    text = xml::trim(text);
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return (error == std::errc{} && end == text.data() + text.size()) ? value : 0;
}

// Media RSS (https://www.rssboard.org/media-rss): <media:content> directly or inside a
// <media:group> is an enclosure unless an RSS enclosure already names the same URL.
void read_media(pugi::xml_node node, const ReadContext& context, model::Item& item)
{
    const auto add = [&](pugi::xml_node content) {
        model::Enclosure enclosure;
        enclosure.url = resolved_link(content, xml::trim(content.attribute("url").as_string()), context);
        enclosure.type = xml::trim(content.attribute("type").as_string());
        enclosure.length = parse_length(content.attribute("fileSize").as_string());
        if (enclosure.url.empty()) {
            return;
        }
        for (const model::Enclosure& existing : item.enclosures) {
            if (existing.url == enclosure.url) {
                return;
            }
        }
        item.enclosures.push_back(std::move(enclosure));
    };
    if (xml::local_name(node) == "content") {
        add(node);
        return;
    }
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
        if (xml::is(child, xml::ns::media, "content")) {
            add(child);
        }
    }
}

model::Item read_item(pugi::xml_node element, std::string_view rss_ns, const ReadContext& context)
{
    model::Item item;
    item.title = plain_title(first_text(element, {{rss_ns, "title"}, {xml::ns::dc, "title"}, {xml::ns::media, "title"}}));
    item.link = channel_or_item_link(element, rss_ns, context);
    if (const pugi::xml_node guid = xml::child(element, rss_ns, "guid")) {
        item.id = std::string(xml::trim(xml::text(guid)));
        // RSS 2.0: a guid is a permalink unless isPermaLink="false".
        const bool permalink = std::string_view(guid.attribute("isPermaLink").as_string("true")) != "false";
        if (item.link.empty() && permalink &&
            (item.id.rfind("http://", 0) == 0 || item.id.rfind("https://", 0) == 0)) {
            item.link = item.id;
        }
    }
    if (item.id.empty()) {
        item.id = std::string(xml::trim(element.attribute("rdf:about").as_string()));
    }
    item.published = first_date(element, {{rss_ns, "pubDate"}, {xml::ns::dc, "date"}, {xml::ns::atom10, "published"},
                                           {xml::ns::dcterms, "issued"}, {xml::ns::dcterms, "created"}});
    item.updated = first_date(element, {{xml::ns::atom10, "updated"}, {xml::ns::dcterms, "modified"}});
    item.author = first_text(element, {{rss_ns, "author"}, {xml::ns::dc, "creator"}, {xml::ns::dc, "author"},
                                       {xml::ns::itunes, "author"}});
    if (const pugi::xml_node description = xml::child(element, rss_ns, "description")) {
        item.summary = html_value(description, context);
    } else if (const pugi::xml_node summary = xml::child(element, xml::ns::itunes, "summary")) {
        item.summary = html_value(summary, context);
    }
    if (const pugi::xml_node encoded = xml::child(element, xml::ns::content, "encoded")) {
        item.content = html_value(encoded, context);
    } else if (const pugi::xml_node body = xml::child(element, xml::ns::xhtml, "body")) {
        item.content = xml::inner_xml(body);  // XHTML body (RSS 2.0 xhtml module)
        item.content = resolve_html_urls(item.content, xml::base_uri(body, context.base_url));
    } else if (const pugi::xml_node fullitem = xml::child(element, rss_ns, "fullitem")) {
        item.content = html_value(fullitem, context);
    }
    for (pugi::xml_node node = element.first_child(); node; node = node.next_sibling()) {
        if (xml::is(node, rss_ns, "category") || xml::is(node, xml::ns::dc, "subject")) {
            add_unique(item.categories, plain_title(xml::trim(xml::text(node))));
        } else if (xml::is(node, rss_ns, "enclosure")) {
            model::Enclosure enclosure;
            enclosure.url = resolved_link(node, xml::trim(node.attribute("url").as_string()), context);
            enclosure.type = xml::trim(node.attribute("type").as_string());
            const std::string_view length = xml::trim(node.attribute("length").as_string());
            std::uint64_t value = 0;
            const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), value);
            enclosure.length = (error == std::errc{} && end == length.data() + length.size()) ? value : 0;
            if (!enclosure.url.empty()) {
                item.enclosures.push_back(std::move(enclosure));
            }
        } else if (xml::is(node, xml::ns::media, "content") || xml::is(node, xml::ns::media, "group")) {
            read_media(node, context, item);
        }
    }
    if (item.summary.empty()) {
        if (const pugi::xml_node description = xml::child(element, xml::ns::media, "description")) {
            item.summary = html_value(description, context);
        } else if (const pugi::xml_node group = xml::child(element, xml::ns::media, "group")) {
            if (const pugi::xml_node nested = xml::child(group, xml::ns::media, "description")) {
                item.summary = html_value(nested, context);
            }
        }
    }
    item.text = html_to_text(item.content.empty() ? item.summary : item.content);
    return item;
}

// RSS 2.0 <ttl> and the syndication module (web.resource.org/rss/1.0/modules/syndication):
// updatePeriod hourly|daily|weekly|monthly|yearly, updateFrequency times per period (default 1).
void read_update_hints(pugi::xml_node channel, std::string_view rss_ns, model::FeedMeta& meta)
{
    constexpr std::string_view k_syndication = "http://purl.org/rss/1.0/modules/syndication/";
    const auto number = [](const std::string& text) -> std::optional<long> {
        long value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size() || value <= 0 || value > 1000000) {
            return std::nullopt;
        }
        return value;
    };
    if (const auto minutes = number(first_text(channel, {{rss_ns, "ttl"}}))) {
        meta.ttl = std::chrono::minutes{*minutes};
    }
    const std::string period = first_text(channel, {{k_syndication, "updatePeriod"}});
    long period_seconds = 0;
    if (period == "hourly") {
        period_seconds = 3600;
    } else if (period == "daily") {
        period_seconds = 86400;
    } else if (period == "weekly") {
        period_seconds = 7 * 86400;
    } else if (period == "monthly") {
        period_seconds = 30 * 86400;
    } else if (period == "yearly") {
        period_seconds = 365 * 86400;
    }
    if (period_seconds > 0) {
        const long frequency = number(first_text(channel, {{k_syndication, "updateFrequency"}})).value_or(1);
        meta.update_period = std::chrono::seconds{std::max(1L, period_seconds / frequency)};
    }
}

void read_channel(pugi::xml_node channel, std::string_view rss_ns, const ReadContext& context, model::FeedMeta& meta)
{
    meta.title = plain_title(first_text(channel, {{rss_ns, "title"}, {xml::ns::dc, "title"}}));
    meta.link = channel_or_item_link(channel, rss_ns, context);
    meta.id = first_text(channel, {{xml::ns::atom10, "id"}});
    meta.subtitle =
        plain_title(first_text(channel, {{rss_ns, "description"}, {xml::ns::dc, "description"}, {xml::ns::itunes, "subtitle"},
                                         {xml::ns::itunes, "summary"}}));
    meta.language = first_text(channel, {{rss_ns, "language"}, {xml::ns::dc, "language"}});
    meta.updated = first_date(channel, {{rss_ns, "lastBuildDate"}, {rss_ns, "pubDate"}, {xml::ns::dc, "date"},
                                        {xml::ns::dcterms, "modified"}, {xml::ns::atom10, "updated"}});
    meta.author = first_text(channel, {{rss_ns, "managingEditor"}, {xml::ns::dc, "creator"}, {xml::ns::dc, "author"},
                                       {rss_ns, "author"}, {xml::ns::itunes, "author"}, {rss_ns, "webMaster"}});
    meta.generator = first_text(channel, {{rss_ns, "generator"}});
    read_update_hints(channel, rss_ns, meta);
    if (const pugi::xml_node image = xml::child(channel, rss_ns, "image")) {
        if (const pugi::xml_node url = xml::child(image, rss_ns, "url")) {
            meta.image = resolved_link(url, xml::trim(xml::text(url)), context);
        } else {
            meta.image = resolved_link(image, xml::trim(image.attribute("rdf:resource").as_string()), context);
        }
    }
    if (meta.image.empty()) {
        if (const pugi::xml_node image = xml::child(channel, xml::ns::itunes, "image")) {
            meta.image = resolved_link(image, xml::trim(image.attribute("href").as_string()), context);
        }
    }
}

}  // namespace

void read_rss(pugi::xml_node root, ReadContext& context, model::ParsedFeed& out)
{
    std::string_view rss_ns;
    pugi::xml_node channel;
    if (xml::local_name(root) == "RDF") {
        // RSS 0.90/1.0: items are siblings of the channel, in the RSS namespace.
        for (pugi::xml_node node = root.first_child(); node; node = node.next_sibling()) {
            if (xml::local_name(node) == "channel") {
                channel = node;
                rss_ns = xml::namespace_uri(node);
                break;
            }
        }
        out.format = rss_ns == xml::ns::rss090 ? "rss0.90" : "rss1.0";
    } else {
        rss_ns = xml::namespace_uri(root);
        channel = xml::child(root, rss_ns, "channel");
        const std::string_view version = xml::trim(root.attribute("version").as_string());
        if (version == "0.91" || version == "0.92" || version == "0.93" || version == "0.94") {
            out.format = "rss" + std::string(version);
        } else {
            out.format = "rss2.0";
        }
    }
    if (channel) {
        read_channel(channel, rss_ns, context, out.feed);
    }
    // Items belong to the channel (RSS 2.0) or to the root (RSS 1.0, and some 0.9x feeds).
    for (const pugi::xml_node parent : {channel, root}) {
        if (!parent) {
            continue;
        }
        for (pugi::xml_node node = parent.first_child(); node; node = node.next_sibling()) {
            if (xml::is(node, rss_ns, "item") && context.keep(node)) {
                out.items.push_back(read_item(node, rss_ns, context));
            }
        }
    }
}

std::string plain_title(std::string_view value)
{
    return html_to_text(value, NoBreakSpace::keep);
}

}  // namespace feedwatch::parse
