#include "parse/html_text.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <gumbo.h>

#include "parse/encoding.hpp"
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
    return text;
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


// ---- Fast path ---------------------------------------------------------------------
// Most feed HTML is a handful of well-formed tags (p, a, b, img, br, lists) and named
// entities. For that subset the HTML5 tree builder cannot reorder or drop text, so one
// linear scan gives exactly gumbo's text. Anything outside the subset (tables, foster
// parenting; RCDATA/raw-text elements other than script/style; foreign content; doctype,
// CDATA, bogus comments; legacy entities without ';'; unterminated tags; NUL) returns
// nullopt and the caller uses gumbo. The fuzz target checks the two agree.

bool is_fast_inline(std::string_view name)
{
    static constexpr std::array<std::string_view, 28> k_inline = {
        "a",    "abbr", "b",    "bdi",    "bdo",   "cite", "code",   "data", "dfn",  "em",
        "font", "i",    "kbd",  "mark",   "q",     "s",    "samp",   "small", "span", "strike",
        "strong", "sub", "sup", "time",   "tt",    "u",    "var",    "wbr"};
    for (const std::string_view element : k_inline) {
        if (name == element) {
            return true;
        }
    }
    return false;
}

bool is_fast_block(std::string_view name)
{
    static constexpr std::array<std::string_view, 34> k_block = {
        "p",      "div",    "br",     "hr",        "img",     "ul",      "ol",     "li",     "dl",
        "dt",     "dd",     "h1",     "h2",        "h3",      "h4",      "h5",     "h6",     "blockquote",
        "pre",    "figure", "figcaption", "section", "article", "header", "footer", "aside", "nav",
        "main",   "address", "center", "picture",  "source",  "video",   "audio"};
    for (const std::string_view element : k_block) {
        if (name == element) {
            return true;
        }
    }
    return false;
}

// Position after the tag starting at html[open] == '<' (HTML5 tokenizer attribute
// states), or npos when the tag does not end.
std::size_t tag_end(std::string_view html, std::size_t cursor)
{
    enum class State { before_name, name, after_name, before_value, unquoted } state = State::before_name;
    while (cursor < html.size()) {
        const char c = html[cursor];
        switch (state) {
        case State::before_name:
        case State::after_name:
            if (c == '>') {
                return cursor + 1;
            }
            if (c == '=' && state == State::after_name) {
                state = State::before_value;
            } else if (!is_ascii_space(c) && c != '/') {
                state = State::name;
            }
            break;
        case State::name:
            if (c == '>') {
                return cursor + 1;
            }
            if (c == '=') {
                state = State::before_value;
            } else if (is_ascii_space(c) || c == '/') {
                state = State::after_name;
            }
            break;
        case State::before_value:
            if (c == '"' || c == '\'') {
                const std::size_t close = html.find(c, cursor + 1);
                if (close == std::string_view::npos) {
                    return std::string_view::npos;
                }
                cursor = close;
                state = State::before_name;
            } else if (c == '>') {
                return cursor + 1;
            } else if (!is_ascii_space(c)) {
                state = State::unquoted;
            }
            break;
        case State::unquoted:
            if (c == '>') {
                return cursor + 1;
            }
            if (is_ascii_space(c)) {
                state = State::before_name;
            }
            break;
        }
        ++cursor;
    }
    return std::string_view::npos;
}

// Appends decoded text; false when an entity needs the full HTML5 rules.
bool append_fast_text(std::string& out, std::string_view text)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t amp = text.find('&', pos);
        if (amp == std::string_view::npos) {
            out.append(text.substr(pos));
            return true;
        }
        out.append(text.substr(pos, amp - pos));
        const char next = amp + 1 < text.size() ? text[amp + 1] : ' ';
        const bool alnum = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9');
        if (!alnum && next != '#') {
            out.push_back('&');  // "& " is a literal ampersand in HTML5
            pos = amp + 1;
            continue;
        }
        const std::size_t semicolon = text.find(';', amp);
        if (semicolon == std::string_view::npos || semicolon - amp > 32) {
            return false;
        }
        const std::string_view name = text.substr(amp + 1, semicolon - amp - 1);
        if (name.empty()) {
            return false;
        }
        std::uint32_t code_point = 0;
        if (name[0] == '#') {
            const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
            const std::string_view digits = name.substr(hex ? 2 : 1);
            if (digits.empty() || digits.size() > 6) {
                return false;
            }
            for (const char c : digits) {
                int digit = -1;
                if (c >= '0' && c <= '9') {
                    digit = c - '0';
                } else if (hex && c >= 'a' && c <= 'f') {
                    digit = c - 'a' + 10;
                } else if (hex && c >= 'A' && c <= 'F') {
                    digit = c - 'A' + 10;
                }
                if (digit < 0) {
                    return false;
                }
                code_point = code_point * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
            }
            // gumbo remaps these (NUL, C1 as windows-1252, surrogates, out of range).
            if (code_point == 0 || (code_point >= 0x80 && code_point <= 0x9F) ||
                (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF || code_point < 0x09 ||
                (code_point >= 0xFDD0 && code_point <= 0xFDEF) || (code_point & 0xFFFE) == 0xFFFE) {
                return false;
            }
        } else {
            const auto known = html_entity_code_point(name);
            // HTML5 remapped lang/rang and has no nbhy: gumbo decides those.
            if (!known || name == "lang" || name == "rang" || name == "nbhy") {
                return false;
            }
            code_point = *known;
        }
        append_utf8(out, code_point);
        pos = semicolon + 1;
    }
    return true;
}

// Characters gumbo's input stream replaces by U+FFFD (HTML5 §13.2.3.5: controls other
// than ASCII whitespace, C1 controls, noncharacters); the fast path leaves those to it.
bool has_replaced_characters(std::string_view html)
{
    const std::size_t size = html.size();
    constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
    constexpr std::uint64_t k_high = 0x8080808080808080ULL;
    for (std::size_t pos = 0; pos < size; ++pos) {
        // Printable ASCII eight bytes at a time: a byte below 0x20 borrows into bit 7,
        // 0x7F carries into it, and 0x80 and above have it set (a carry or borrow only
        // starts at a byte that is flagged itself).
        while (pos + 8 <= size) {
            std::uint64_t word = 0;
            std::memcpy(&word, html.data() + pos, 8);
            if ((((word - k_ones * 0x20) | (word + k_ones) | word) & k_high) != 0) {
                break;
            }
            pos += 8;
        }
        if (pos >= size) {
            break;
        }
        const auto byte = static_cast<unsigned char>(html[pos]);
        if (byte < 0x20) {
            if (byte != '\t' && byte != '\n' && byte != '\f' && byte != '\r') {
                return true;
            }
        } else if (byte == 0x7F) {
            return true;
        } else if (byte >= 0xC2 && pos + 1 < size) {
            const auto next = static_cast<unsigned char>(html[pos + 1]);
            if (byte == 0xC2 && next >= 0x80 && next <= 0x9F) {
                return true;  // U+0080..U+009F
            }
            if (byte == 0xEF && pos + 2 < size) {
                const auto third = static_cast<unsigned char>(html[pos + 2]);
                if ((next == 0xB7 && third >= 0x90 && third <= 0xAF) || (next == 0xBF && third >= 0xBE)) {
                    return true;  // U+FDD0..U+FDEF, U+FFFE, U+FFFF
                }
            }
            if (byte >= 0xF0 && pos + 3 < size && (static_cast<unsigned char>(html[pos + 2]) == 0xBF) &&
                (next & 0x0F) == 0x0F && static_cast<unsigned char>(html[pos + 3]) >= 0xBE) {
                return true;  // U+xFFFE, U+xFFFF in the supplementary planes
            }
        }
    }
    return false;
}

std::optional<std::string> fast_text(std::string_view html)
{
    if (has_replaced_characters(html)) {
        return std::nullopt;
    }
    std::string text;
    text.reserve(html.size());
    std::map<std::string, std::size_t> open_blocks;
    std::size_t pos = 0;
    while (pos < html.size()) {
        const std::size_t open = html.find('<', pos);
        if (!append_fast_text(text, html.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos))) {
            return std::nullopt;
        }
        if (open == std::string_view::npos) {
            break;
        }
        const char next = open + 1 < html.size() ? html[open + 1] : '\0';
        if (next == '!') {
            if (html.compare(open, 4, "<!--") != 0) {
                return std::nullopt;  // doctype, CDATA or a bogus comment
            }
            const std::size_t close = html.find("-->", open + 4);
            if (close == std::string_view::npos || html[open + 4] == '>' || html.compare(open + 4, 2, "->") == 0) {
                return std::nullopt;
            }
            const std::string_view body = html.substr(open + 4, close - open - 4);
            if (body.find("--!>") != std::string_view::npos || body.find("<!--") != std::string_view::npos) {
                return std::nullopt;
            }
            pos = close + 3;
            continue;
        }
        const bool closing = next == '/';
        const std::size_t name_start = open + (closing ? 2 : 1);
        const char first = name_start < html.size() ? html[name_start] : '\0';
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
            if (closing || next == '?') {
                return std::nullopt;  // "</>" and "</ x>" are not plain text
            }
            text.push_back('<');  // "a < b": a literal less-than sign
            pos = open + 1;
            continue;
        }
        std::size_t name_end = name_start;
        while (name_end < html.size() && !is_ascii_space(html[name_end]) && html[name_end] != '/' && html[name_end] != '>') {
            ++name_end;
        }
        std::string name;
        for (std::size_t i = name_start; i < name_end && name.size() <= 16; ++i) {
            name.push_back(to_lower_ascii(html[i]));
        }
        const std::size_t end = tag_end(html, name_end);
        if (end == std::string_view::npos) {
            return std::nullopt;
        }
        pos = end;
        if (name == "script" || name == "style") {
            if (closing) {
                continue;  // a stray end tag is ignored
            }
            // Raw text up to the matching end tag; "<!--" inside script switches gumbo into
            // the escaped states, so leave those to it.
            std::size_t search = pos;
            std::size_t found = std::string_view::npos;
            while ((found = html.find("</", search)) != std::string_view::npos) {
                std::string candidate;
                for (std::size_t i = found + 2; i < html.size() && candidate.size() < name.size(); ++i) {
                    candidate.push_back(to_lower_ascii(html[i]));
                }
                const std::size_t after = found + 2 + name.size();
                if (candidate == name && after < html.size() &&
                    (is_ascii_space(html[after]) || html[after] == '/' || html[after] == '>')) {
                    break;
                }
                search = found + 2;
            }
            if (found == std::string_view::npos ||
                (name == "script" && html.substr(pos, found - pos).find("<!--") != std::string_view::npos)) {
                return std::nullopt;
            }
            const std::size_t close = tag_end(html, found + 2 + name.size());
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            text.push_back(' ');
            pos = close;
            continue;
        }
        if (is_fast_block(name)) {
            // An end tag of a void element other than br is ignored by the tree builder, and
            // so is any end tag without an open element of its name: both add no space there.
            const bool is_void = name == "img" || name == "hr" || name == "source" || name == "br";
            if (closing && is_void && name != "br") {
                continue;
            }
            if (!is_void) {
                std::size_t& open_count = open_blocks[name];
                if (closing && open_count == 0 && name != "p") {
                    return std::nullopt;  // stray end tag: leave it to gumbo
                }
                open_count = closing ? (open_count > 0 ? open_count - 1 : 0) : open_count + 1;
            }
            text.push_back(' ');
        } else if (!is_fast_inline(name)) {
            return std::nullopt;
        }
    }
    return text;
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
    // gumbo 0.10 can emit a stray byte for an overlong numeric reference without ';'
    // ("&#xD799bbbb" + non-ASCII; fuzz seed crash-gumbo-invalid-utf8): repair.
    if (!is_valid_utf8(text)) {
        text = repair_utf8(text);
    }
    return text;
}

}  // namespace

namespace {

// Collapses text[0, size) into out (out may be text itself: the write position never
// passes the read position); returns the collapsed length. This runs over every title
// and item text, so the common bytes take no data-dependent branch: spaces come every
// few bytes and would be mispredicted.
std::size_t collapse_into(const char* text, std::size_t size, char* out, NoBreakSpace no_break_space)
{
    const bool collapse_no_break = no_break_space == NoBreakSpace::collapse;
    // A byte that is copied as it is: not whitespace, not a control, not the lead byte of
    // U+00A0 (0xC2 goes the slow way either way).
    const auto plain = [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte > 0x20 && byte != 0xC2;
    };
    char* write = out;
    bool pending_space = false;
    std::size_t pos = 0;
    while (pos < size) {
        if (!pending_space) {
            // Most text is words with single spaces between them, which come out unchanged:
            // find that run by reading only, then move it in one go (nothing to move in place
            // while nothing has been dropped yet). A space belongs to the run when something
            // was written before it and a plain byte follows. The run is read eight bytes at
            // a time while a chunk holds only plain bytes and single spaces (no other
            // whitespace or control, no 0xC2, no two spaces side by side, no space first unless
            // after a plain byte, none last); else one byte, or a space and its plain
            // successor, by the rule, then eight again.
            const std::size_t run = pos;
            for (;;) {
                while (pos + 8 <= size) {
                    std::uint64_t chunk = 0;
                    std::memcpy(&chunk, text + pos, 8);
                    constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
                    constexpr std::uint64_t k_highs = 0x8080808080808080ULL;
                    constexpr std::uint64_t k_lows = 0x7F7F7F7F7F7F7F7FULL;
                    const std::uint64_t below_space = (chunk - 0x20 * k_ones) & ~chunk & k_highs;
                    const std::uint64_t c2 = chunk ^ (0xC2 * k_ones);
                    const std::uint64_t has_c2 = (c2 - k_ones) & ~c2 & k_highs;
                    const std::uint64_t z = chunk ^ (0x20 * k_ones);
                    const std::uint64_t spaces = ~(((z & k_lows) + k_lows) | z | k_lows);  // high bit of each ' '
                    const bool first_ok = (spaces & 0x80U) == 0 || (pos > 0 && (pos > run || write != out) && plain(text[pos - 1]));
                    if (below_space != 0 || has_c2 != 0 || (spaces & (spaces << 8)) != 0 || (spaces >> 63) != 0 ||
                        !first_ok) {
                        break;
                    }
                    pos += 8;
                }
                if (pos < size && plain(text[pos])) {
                    ++pos;
                } else if (pos < size && text[pos] == ' ' && (pos > run || write != out) && pos + 1 < size &&
                           plain(text[pos + 1])) {
                    pos += 2;
                } else {
                    break;
                }
            }
            if (pos != run) {
                if (write != text + run) {
                    std::memmove(write, text + run, pos - run);
                }
                write += pos - run;
            }
            if (pos == size) {
                break;
            }
        }
        // Everything else byte by byte: runs of whitespace, controls, U+00A0, the ends.
        const char c = text[pos];
        const auto byte = static_cast<unsigned char>(c);
        if (byte == 0xC2 && collapse_no_break && pos + 1 < size && text[pos + 1] == '\xA0') {
            pending_space = true;
            pos += 2;
            continue;
        }
        // Other C0 controls are dropped without counting as space (XML 1.0 §2.2 forbids
        // them anyway).
        const bool dropped = byte <= 0x20;
        const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        if (pending_space && !dropped && write != out) {
            *write++ = ' ';
        }
        *write = c;
        write += static_cast<int>(!dropped);
        pending_space = dropped && (pending_space || space);
        ++pos;
    }
    return static_cast<std::size_t>(write - out);
}

// collapse_whitespace on a string the caller owns: no second buffer.
std::string collapse_in_place(std::string text, NoBreakSpace no_break_space = NoBreakSpace::collapse)
{
    text.resize(collapse_into(text.data(), text.size(), text.data(), no_break_space));
    return text;
}

}  // namespace

std::string collapse_whitespace(std::string_view text, NoBreakSpace no_break_space)
{
    std::string out(text.size(), '\0');
    out.resize(collapse_into(text.data(), text.size(), out.data(), no_break_space));
    return out;
}

std::optional<std::string> html_to_text_fast(std::string_view html)
{
    if (auto text = fast_text(html)) {
        return collapse_in_place(std::move(*text));
    }
    return std::nullopt;
}

std::string html_to_text_gumbo(std::string_view html)
{
    return collapse_in_place(gumbo_text(html));
}

std::string html_to_text(std::string_view html, NoBreakSpace no_break_space)
{
    if (html.find_first_of("<&") == std::string_view::npos) {
        return collapse_whitespace(html, no_break_space);
    }
    if (auto text = fast_text(html)) {
        return collapse_in_place(std::move(*text), no_break_space);
    }
    if (nesting_exceeds(html, k_max_gumbo_depth)) {
        return collapse_in_place(strip_tags_linear(html), no_break_space);
    }
    return collapse_in_place(gumbo_text(html), no_break_space);
}

}  // namespace feedwatch::parse
