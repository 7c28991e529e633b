#include "parse/html_text.hpp"

#include <array>
#include <utility>
#include <vector>

#include <gumbo.h>

#include "parse/entities.hpp"

namespace feedwatch::parse {
namespace {

// Nesting estimate above which gumbo is not used (browsers cap the tree at 512).
constexpr std::size_t k_max_gumbo_depth = 256;

bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char to_lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_void_element(std::string_view name)
{
    static constexpr std::array<std::string_view, 14> k_void = {"area", "base", "br",    "col",    "embed",
                                                                "hr",   "img",  "input", "link",   "meta",
                                                                "param", "source", "track", "wbr"};
    for (const std::string_view element : k_void) {
        if (name == element) {
            return true;
        }
    }
    return false;
}

bool is_dropped_element(std::string_view name)
{
    return name == "script" || name == "style" || name == "template" || name == "noscript";
}

// Reads the lower-cased tag name at html[pos] (just after '<' or '</').
std::string read_tag_name(std::string_view html, std::size_t pos)
{
    std::string name;
    while (pos < html.size() && name.size() < 32) {
        const char c = html[pos];
        if (is_ascii_space(c) || c == '>' || c == '/') {
            break;
        }
        name.push_back(to_lower_ascii(c));
        ++pos;
    }
    return name;
}

// Upper bound-ish of the element nesting depth gumbo would build; stops counting once
// the limit is passed.
bool nesting_exceeds(std::string_view html, std::size_t limit)
{
    std::vector<std::string> open;
    std::size_t pos = 0;
    while ((pos = html.find('<', pos)) != std::string_view::npos) {
        ++pos;
        if (pos >= html.size()) {
            break;
        }
        const bool closing = html[pos] == '/';
        const std::string name = read_tag_name(html, closing ? pos + 1 : pos);
        if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z'))) {
            continue;
        }
        const std::size_t end = html.find('>', pos);
        if (closing) {
            for (std::size_t i = open.size(); i-- > 0;) {
                if (open[i] == name) {
                    open.resize(i);
                    break;
                }
            }
        } else if (!is_void_element(name) && !(end != std::string_view::npos && end > 0 && html[end - 1] == '/')) {
            open.push_back(name);
            if (open.size() > limit) {
                return true;
            }
        }
        if (end == std::string_view::npos) {
            break;
        }
        pos = end + 1;
    }
    return false;
}

// Tag stripper for pathological input: drops tags, comments and dropped elements' content.
std::string strip_tags_linear(std::string_view html)
{
    std::string text;
    std::size_t pos = 0;
    while (pos < html.size()) {
        const std::size_t open = html.find('<', pos);
        text.append(decode_html_entities(html.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos)));
        if (open == std::string_view::npos) {
            break;
        }
        if (html.substr(open, 4) == "<!--") {
            const std::size_t close = html.find("-->", open + 4);
            pos = close == std::string_view::npos ? html.size() : close + 3;
            continue;
        }
        const std::size_t close = html.find('>', open);
        if (close == std::string_view::npos) {
            break;
        }
        const std::string name = read_tag_name(html, open + 1);
        pos = close + 1;
        if (is_dropped_element(name)) {
            const std::string end_tag = "</" + name;
            std::size_t search = pos;
            std::size_t found = std::string_view::npos;
            while ((found = html.find("</", search)) != std::string_view::npos) {
                if (read_tag_name(html, found + 2) == name) {
                    break;
                }
                search = found + 2;
            }
            const std::size_t end = found == std::string_view::npos ? std::string_view::npos : html.find('>', found);
            pos = end == std::string_view::npos ? html.size() : end + 1;
        }
        text.push_back(' ');
    }
    return collapse_whitespace(text);
}

bool is_inline_element(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BDI:
    case GUMBO_TAG_BDO:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_DATA:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_MARK:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_TIME:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_VAR:
    case GUMBO_TAG_WBR:
        return true;
    default:
        return false;
    }
}

std::string gumbo_text(std::string_view html)
{
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = 0;
    GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
    std::string text;
    // Iterative walk: (node, next child index).
    std::vector<std::pair<const GumboNode*, unsigned>> stack;
    stack.emplace_back(output->root, 0);
    while (!stack.empty()) {
        auto& [node, index] = stack.back();
        const GumboVector& children = node->v.element.children;
        if (index >= children.length) {
            if (!is_inline_element(node->v.element.tag)) {
                text.push_back(' ');
            }
            stack.pop_back();
            continue;
        }
        const auto* child = static_cast<const GumboNode*>(children.data[index++]);
        switch (child->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
            text.append(child->v.text.text);
            break;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE: {
            const GumboTag tag = child->v.element.tag;
            if (tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_TEMPLATE ||
                tag == GUMBO_TAG_NOSCRIPT || child->type == GUMBO_NODE_TEMPLATE) {
                break;
            }
            if (!is_inline_element(tag)) {
                text.push_back(' ');
            }
            stack.emplace_back(child, 0);
            break;
        }
        default:
            break;
        }
    }
    gumbo_destroy_output(&options, output);
    return collapse_whitespace(text);
}

}  // namespace

std::string collapse_whitespace(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        const char c = text[pos];
        const bool nbsp = c == '\xC2' && pos + 1 < text.size() && text[pos + 1] == '\xA0';
        if (is_ascii_space(c) || nbsp) {
            pending_space = true;
            pos += nbsp ? 1 : 0;
            continue;
        }
        if (pending_space && !out.empty()) {
            out.push_back(' ');
        }
        pending_space = false;
        out.push_back(c);
    }
    return out;
}

std::string html_to_text(std::string_view html)
{
    if (html.find_first_of("<&") == std::string_view::npos) {
        return collapse_whitespace(html);
    }
    if (nesting_exceeds(html, k_max_gumbo_depth)) {
        return strip_tags_linear(html);
    }
    return gumbo_text(html);
}

}  // namespace feedwatch::parse
