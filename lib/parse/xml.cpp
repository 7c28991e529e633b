#include "parse/xml.hpp"

#include <algorithm>
#include <utility>
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

constexpr std::string_view k_svg = "http://www.w3.org/2000/svg";
constexpr std::string_view k_mathml = "http://www.w3.org/1998/Math/MathML";
constexpr std::string_view k_xlink = "http://www.w3.org/1999/xlink";

// HTML void elements (HTML5 §13.1.2): the only ones written as <x />. Any other empty
// element is written <x></x>: an HTML parser reads "<div />" as an open div.
bool is_void_element(std::string_view name)
{
    for (const std::string_view element : {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                                            "param", "source", "track", "wbr"}) {
        if (name == element) {
            return true;
        }
    }
    return false;
}

std::string_view prefix_of(std::string_view name)
{
    const std::size_t colon = name.find(':');
    return colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
}

std::string_view after_prefix(std::string_view name)
{
    const std::size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// Namespace declarations in scope while serialising: (prefix, uri), innermost last; ""
// is the default namespace. A lookup looks at the innermost 64 only, so hostile input
// with thousands of nested declarations stays linear.
class Scope {
public:
    std::size_t size() const { return m_bindings.size(); }
    void truncate(std::size_t size) { m_bindings.resize(size); }

    std::string_view lookup(std::string_view prefix) const
    {
        std::size_t seen = 0;
        for (auto it = m_bindings.rbegin(); it != m_bindings.rend() && seen < 64; ++it, ++seen) {
            if (it->first == prefix) {
                return it->second;
            }
        }
        if (prefix == "xhtml" || prefix == "html" || prefix == "h") {
            return ns::xhtml;
        }
        if (prefix == "svg") {
            return k_svg;
        }
        if (prefix == "xlink") {
            return k_xlink;
        }
        return {};
    }

    // Adds the declarations element carries.
    void declare_from(pugi::xml_node element)
    {
        for (const pugi::xml_attribute attribute : element.attributes()) {
            const std::string_view name = attribute.name();
            if (name == "xmlns") {
                m_bindings.emplace_back(std::string_view{}, attribute.value());
            } else if (name.rfind("xmlns:", 0) == 0) {
                m_bindings.emplace_back(name.substr(6), attribute.value());
            }
        }
    }

private:
    std::vector<std::pair<std::string_view, std::string_view>> m_bindings;
};

bool is_foreign(std::string_view uri)
{
    return uri == k_svg || uri == k_mathml;
}

// A declaration the serialiser writes itself where HTML needs it (SVG, MathML, XLink) or
// that HTML has no use for (XHTML is HTML's own namespace).
bool is_handled_declaration(std::string_view name, std::string_view value)
{
    return (name == "xmlns" || name.rfind("xmlns:", 0) == 0) &&
           (value == ns::xhtml || value == k_svg || value == k_mathml || value == k_xlink);
}

struct OpenElement {
    std::string_view output_name;
    std::string_view output_namespace;  // xhtml, svg or mathml: what the output is in
    std::size_t scope_size = 0;         // declarations to drop when it closes
};

}  // namespace

std::string inner_xml(pugi::xml_node node)
{
    // Iterative pre/post-order walk: nesting depth costs heap, not stack. XHTML elements
    // lose their prefix (<xhtml:p> -> <p>); SVG and MathML elements lose theirs too and
    // the root of such a subtree gets its xmlns, and XLink attributes get xmlns:xlink, as
    // HTML parsers (and feedparser) expect them. Attributes are written sorted by name:
    // XML gives them no order, and sorted output is canonical (feedparser's too).
    Scope scope;
    std::vector<pugi::xml_node> ancestors;
    for (pugi::xml_node up = node; up && up.type() == pugi::node_element; up = up.parent()) {
        ancestors.push_back(up);
    }
    for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it) {
        scope.declare_from(*it);
    }
    std::string out;
    std::vector<OpenElement> open;
    std::vector<std::pair<std::string, std::string_view>> attributes;
    pugi::xml_node current = node.first_child();
    while (current && current != node) {
        bool descend = false;
        switch (current.type()) {
        case pugi::node_pcdata:
        case pugi::node_cdata:
            append_escaped(out, current.value(), false);
            break;
        case pugi::node_element: {
            const std::size_t scope_size = scope.size();
            scope.declare_from(current);
            const std::string_view name = current.name();
            const std::string_view uri = scope.lookup(prefix_of(name));
            const std::string_view parent_namespace = open.empty() ? ns::xhtml : open.back().output_namespace;
            std::string_view output_namespace = parent_namespace;
            std::string_view output_name = name;
            if (uri == ns::xhtml || is_foreign(uri)) {
                output_name = after_prefix(name);
                output_namespace = uri;
            }
            attributes.clear();
            bool uses_xlink = false;
            for (const pugi::xml_attribute attribute : current.attributes()) {
                const std::string_view attribute_name = attribute.name();
                if (is_handled_declaration(attribute_name, attribute.value())) {
                    continue;
                }
                const std::string_view attribute_prefix = prefix_of(attribute_name);
                if (!attribute_prefix.empty() && attribute_prefix != "xmlns" && attribute_prefix != "xml" &&
                    scope.lookup(attribute_prefix) == k_xlink) {
                    uses_xlink = true;
                    attributes.emplace_back("xlink:" + std::string(after_prefix(attribute_name)), attribute.value());
                } else {
                    attributes.emplace_back(std::string(attribute_name), attribute.value());
                }
            }
            if (output_namespace != parent_namespace && is_foreign(output_namespace)) {
                attributes.emplace_back("xmlns", output_namespace);
            }
            if (uses_xlink) {
                attributes.emplace_back("xmlns:xlink", k_xlink);
            }
            std::sort(attributes.begin(), attributes.end(),
                      [](const auto& left, const auto& right) { return left.first < right.first; });
            out.push_back('<');
            out.append(output_name);
            for (const auto& [attribute_name, value] : attributes) {
                out.push_back(' ');
                out.append(attribute_name);
                out.append("=\"");
                append_escaped(out, value, true);
                out.push_back('"');
            }
            if (current.first_child()) {
                out.push_back('>');
                open.push_back({output_name, output_namespace, scope_size});
                descend = true;
            } else {
                if (output_namespace == ns::xhtml && is_void_element(output_name)) {
                    out.append(" />");
                } else {
                    out.append("></");
                    out.append(output_name);
                    out.push_back('>');
                }
                scope.truncate(scope_size);
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
            if (current != node && !open.empty()) {
                out.append("</");
                out.append(open.back().output_name);
                out.push_back('>');
                scope.truncate(open.back().scope_size);
                open.pop_back();
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
