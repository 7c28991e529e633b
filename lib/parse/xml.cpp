#include "parse/xml.hpp"

#include <vector>

#include "parse/urls.hpp"

namespace feedwatch::parse::xml {
namespace {

std::string_view conventional_namespace(std::string_view prefix)
{
    if (prefix == "dc") {
        return ns::dc;
    }
    if (prefix == "dcterms") {
        return ns::dcterms;
    }
    if (prefix == "content") {
        return ns::content;
    }
    if (prefix == "atom") {
        return ns::atom10;
    }
    if (prefix == "itunes") {
        return ns::itunes;
    }
    if (prefix == "rdf") {
        return ns::rdf;
    }
    if (prefix == "xml") {
        return ns::xml;
    }
    if (prefix == "media") {
        return ns::media;
    }
    if (prefix == "xhtml") {
        return ns::xhtml;
    }
    return {};
}

}  // namespace

std::string_view local_name(pugi::xml_node node)
{
    const std::string_view name = node.name();
    const std::size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view namespace_uri(pugi::xml_node node)
{
    const std::string_view name = node.name();
    const std::size_t colon = name.find(':');
    const std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
    if (prefix == "xml") {
        return ns::xml;
    }
    // The declaring attribute is "xmlns" or "xmlns:" + prefix; compared in place, as this
    // runs for every candidate child the readers look at.
    const auto declares = [prefix](std::string_view attribute) {
        if (attribute.size() < 5 || attribute.compare(0, 5, "xmlns") != 0) {
            return false;
        }
        if (prefix.empty()) {
            return attribute.size() == 5;
        }
        return attribute.size() == 6 + prefix.size() && attribute[5] == ':' && attribute.substr(6) == prefix;
    };
    for (pugi::xml_node scope = node; scope && scope.type() == pugi::node_element; scope = scope.parent()) {
        for (pugi::xml_attribute attribute = scope.first_attribute(); attribute; attribute = attribute.next_attribute()) {
            if (declares(attribute.name())) {
                return attribute.value();
            }
        }
    }
    return prefix.empty() ? std::string_view{} : conventional_namespace(prefix);
}

bool is(pugi::xml_node node, std::string_view ns, std::string_view local)
{
    return node.type() == pugi::node_element && local_name(node) == local && namespace_uri(node) == ns;
}

pugi::xml_node child(pugi::xml_node parent, std::string_view ns, std::string_view local)
{
    for (pugi::xml_node node = parent.first_child(); node; node = node.next_sibling()) {
        if (is(node, ns, local)) {
            return node;
        }
    }
    return {};
}

std::string text(pugi::xml_node node)
{
    bool has_elements = false;
    std::string out;
    for (pugi::xml_node part = node.first_child(); part; part = part.next_sibling()) {
        if (part.type() == pugi::node_pcdata || part.type() == pugi::node_cdata) {
            out.append(part.value());
        } else if (part.type() == pugi::node_element) {
            has_elements = true;
        }
    }
    return has_elements ? inner_xml(node) : out;
}

namespace {

void append_escaped(std::string& out, std::string_view text, bool attribute)
{
    for (const char c : text) {
        switch (c) {
        case '&':
            out.append("&amp;");
            break;
        case '<':
            out.append("&lt;");
            break;
        case '>':
            out.append("&gt;");
            break;
        case '"':
            if (attribute) {
                out.append("&quot;");
            } else {
                out.push_back(c);
            }
            break;
        default:
            out.push_back(c);
        }
    }
}

// Element name as HTML wants it: the conventional XHTML prefixes are dropped
// (<xhtml:p> -> <p>). Decided from the prefix alone: resolving it would walk the
// ancestors for every element, quadratic on deep nesting.
std::string_view output_name(pugi::xml_node element)
{
    const std::string_view name = element.name();
    if (name.rfind("xhtml:", 0) == 0 || name.rfind("html:", 0) == 0 || name.rfind("h:", 0) == 0) {
        return local_name(element);
    }
    return name;
}

bool is_xhtml_declaration(pugi::xml_attribute attribute)
{
    const std::string_view name = attribute.name();
    return (name == "xmlns" || name.rfind("xmlns:", 0) == 0) && std::string_view(attribute.value()) == ns::xhtml;
}

}  // namespace

std::string inner_xml(pugi::xml_node node)
{
    // Iterative pre/post-order walk: nesting depth costs heap, not stack.
    std::string out;
    pugi::xml_node current = node.first_child();
    while (current && current != node) {
        bool descend = false;
        switch (current.type()) {
        case pugi::node_pcdata:
        case pugi::node_cdata:
            append_escaped(out, current.value(), false);
            break;
        case pugi::node_element: {
            out.push_back('<');
            out.append(output_name(current));
            for (const pugi::xml_attribute attribute : current.attributes()) {
                if (is_xhtml_declaration(attribute)) {
                    continue;
                }
                out.push_back(' ');
                out.append(attribute.name());
                out.append("=\"");
                append_escaped(out, attribute.value(), true);
                out.push_back('"');
            }
            if (current.first_child()) {
                out.push_back('>');
                descend = true;
            } else {
                out.append(" />");
            }
            break;
        }
        default:
            break;
        }
        if (descend) {
            current = current.first_child();
            continue;
        }
        while (current != node && !current.next_sibling()) {
            current = current.parent();
            if (current != node) {
                out.append("</");
                out.append(output_name(current));
                out.push_back('>');
            }
        }
        if (current == node) {
            break;
        }
        current = current.next_sibling();
    }
    return out;
}

std::string base_uri(pugi::xml_node node, std::string_view document_base)
{
    std::vector<std::string_view> bases;
    for (pugi::xml_node scope = node; scope && scope.type() == pugi::node_element; scope = scope.parent()) {
        if (const pugi::xml_attribute base = scope.attribute("xml:base")) {
            bases.emplace_back(base.value());
        }
    }
    std::string resolved(document_base);
    for (auto it = bases.rbegin(); it != bases.rend(); ++it) {
        resolved = resolve_url(resolved, *it);
    }
    return resolved;
}

std::string_view trim(std::string_view text)
{
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

bool is_complete(pugi::xml_node element, const Recovery& recovery)
{
    // A node that has a following sibling, or lies inside one that has, was closed: the
    // parser only appends after closing.
    for (pugi::xml_node scope = element; scope && scope.type() == pugi::node_element; scope = scope.parent()) {
        if (scope.next_sibling()) {
            return true;
        }
    }
    // Otherwise its end tag must appear between its start and the error.
    const std::ptrdiff_t start = element.offset_debug();
    if (start < 0 || static_cast<std::size_t>(start) >= recovery.error_offset ||
        recovery.error_offset > recovery.buffer.size()) {
        return false;
    }
    const std::string_view span =
        recovery.buffer.substr(static_cast<std::size_t>(start), recovery.error_offset - static_cast<std::size_t>(start));
    const std::string end_tag = "</" + std::string(element.name());
    std::size_t found = span.rfind(end_tag);
    while (found != std::string_view::npos) {
        std::size_t cursor = found + end_tag.size();
        while (cursor < span.size() && (span[cursor] == ' ' || span[cursor] == '\t' || span[cursor] == '\r' ||
                                        span[cursor] == '\n')) {
            ++cursor;
        }
        if (cursor < span.size() && span[cursor] == '>') {
            return true;
        }
        if (found == 0) {
            break;
        }
        found = span.rfind(end_tag, found - 1);
    }
    return false;
}

}  // namespace feedwatch::parse::xml
