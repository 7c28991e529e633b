#include "normalize/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <utility>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <utf8proc.h>

namespace feedwatch::normalize {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view k_ellipsis = "\xE2\x80\xA6";     // U+2026
constexpr std::string_view k_ellipsis_then_space = "\xE2\x80\xA6 ";

// NFKC (COMPOSE|COMPAT), case folded, default-ignorables (soft hyphen, ZWJ) removed,
// combining marks stripped. utf8proc decomposes internally before composing, so STRIPMARK
// sees the accents of precomposed characters too ("é" -> "e").
constexpr auto k_fold_options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                                               UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
                                                               UTF8PROC_IGNORE | UTF8PROC_STRIPMARK);

struct Decoded {
    std::int32_t codepoint;  // -1 when the bytes at this position are not valid UTF-8
    std::size_t length;      // bytes consumed (1 for an invalid byte)
};

const utf8proc_uint8_t* bytes_of(std::string_view text)
{
    return reinterpret_cast<const utf8proc_uint8_t*>(text.data());
}

Decoded decode_at(std::string_view text, std::size_t pos)
{
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
        return {static_cast<std::int32_t>(text[pos]), 1};  // ASCII: most of the text, no table lookup
    }
    utf8proc_int32_t codepoint = -1;
    const auto length = utf8proc_iterate(bytes_of(text) + pos, static_cast<utf8proc_ssize_t>(text.size() - pos),
                                         &codepoint);
    if (length <= 0 || codepoint < 0) {
        return {-1, 1};
    }
    return {codepoint, static_cast<std::size_t>(length)};
}

// The start of the character that ends just before pos (pos > 0).
Decoded decode_before(std::string_view text, std::size_t pos, std::size_t& start)
{
    if (static_cast<unsigned char>(text[pos - 1]) < 0x80) {
        start = pos - 1;  // ASCII: no continuation bytes to walk back over
        return {static_cast<std::int32_t>(text[pos - 1]), 1};
    }
    std::size_t candidate = pos - 1;
    while (candidate > 0 && pos - candidate < 4 && (static_cast<unsigned char>(text[candidate]) & 0xC0) == 0x80) {
        --candidate;
    }
    const Decoded decoded = decode_at(text, candidate);
    if (decoded.codepoint >= 0 && candidate + decoded.length == pos) {
        start = candidate;
        return decoded;
    }
    start = pos - 1;
    return {-1, 1};
}

enum class CharClass { word, mark, format, space, other };

CharClass classify(std::int32_t codepoint)
{
    if (codepoint < 0) {
        return CharClass::other;
    }
    if (codepoint < 0x80) {
        const auto c = static_cast<char>(codepoint);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return CharClass::word;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            return CharClass::space;
        }
        return CharClass::other;
    }
    switch (utf8proc_category(codepoint)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return CharClass::word;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return CharClass::mark;
    case UTF8PROC_CATEGORY_CF:
        return CharClass::format;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return CharClass::space;
    default:
        return codepoint == 0x85 ? CharClass::space : CharClass::other;  // NEL is Cc
    }
}

bool is_space(std::int32_t codepoint)
{
    if (codepoint >= 0 && codepoint < 0x80) {
        return codepoint == ' ' || (codepoint >= '\t' && codepoint <= '\r');  // classify()'s ASCII spaces
    }
    return classify(codepoint) == CharClass::space;
}

bool is_ascii(std::string_view text)
{
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0x80) != 0) {
            return false;
        }
    }
    return true;
}

// text must be valid UTF-8.
std::string fold_valid(std::string_view text)
{
    if (is_ascii(text)) {
        std::string out(text);
        for (char& c : out) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return out;
    }
    utf8proc_uint8_t* mapped = nullptr;
    const auto length = utf8proc_map(bytes_of(text), static_cast<utf8proc_ssize_t>(text.size()), &mapped,
                                     k_fold_options);
    const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
    if (length < 0 || mapped == nullptr) {
        return std::string(text);  // not reached for valid UTF-8; keep the text rather than lose it
    }
    return std::string(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length));
}

// Appends text[begin, end) with every whitespace run turned into one space.
void append_collapsed(std::string& out, std::string_view text, std::size_t begin, std::size_t end)
{
    std::size_t pos = begin;
    std::size_t run = begin;  // start of the bytes not yet copied
    while (pos < end) {
        const unsigned char byte = static_cast<unsigned char>(text[pos]);
        if (byte < 0x80 && byte != ' ' && (byte < '\t' || byte > '\r')) {
            ++pos;  // ASCII, not a space: copied with its run
            continue;
        }
        const Decoded decoded = decode_at(text, pos);
        if (is_space(decoded.codepoint)) {
            out.append(text.substr(run, pos - run));
            if (out.empty() || out.back() != ' ') {
                out.push_back(' ');
            }
            pos += decoded.length;
            run = pos;
        } else {
            pos += decoded.length;
        }
    }
    out.append(text.substr(run, std::min(pos, end) - run));
}

// Bytes that text[begin, end) occupies once whitespace is collapsed (upper bound).
std::size_t collapsed_size(std::string_view text, std::size_t begin, std::size_t end)
{
    std::size_t size = 0;
    bool previous_space = false;
    std::size_t pos = begin;
    while (pos < end) {
        const unsigned char byte = static_cast<unsigned char>(text[pos]);
        if (byte < 0x80 && byte != ' ' && (byte < '\t' || byte > '\r')) {
            ++size;  // ASCII, not a space
            previous_space = false;
            ++pos;
            continue;
        }
        const Decoded decoded = decode_at(text, pos);
        const bool space = is_space(decoded.codepoint);
        size += space ? (previous_space ? 0 : 1) : decoded.length;
        previous_space = space;
        pos += decoded.length;
    }
    return size;
}

std::size_t floor_to_char(std::string_view text, std::size_t pos)
{
    while (pos > 0 && pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
        --pos;
    }
    return pos;
}

std::size_t ceil_to_char(std::string_view text, std::size_t pos)
{
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
        ++pos;
    }
    return pos;
}

// Is text[begin, end) ASCII with no whitespace but single spaces? Then its collapsed size is
// its size. Conservative: any control character, and a space before '!', say no. Eight bytes
// at a time on little-endian machines: this runs once per snippet over about twice its length.
bool plain_ascii(std::string_view text, std::size_t begin, std::size_t end)
{
    constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
    constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;
    constexpr std::uint64_t k_spaces = 0x2020202020202020ULL;
    std::size_t pos = begin;
    bool previous_space = false;
    if constexpr (std::endian::native == std::endian::little) {
        for (; pos + 8 <= end; pos += 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + pos, 8);
            // A byte >= 0x80, or (the high bits being clear) a byte below 0x20 borrowing into its high bit.
            if ((word & k_high_bits) != 0 || ((word - k_spaces) & ~word & k_high_bits) != 0) {
                return false;
            }
            // High bit of each space byte (and, by the borrow, of a '!' right after one).
            const std::uint64_t spaces = ((word ^ k_spaces) - k_ones) & ~(word ^ k_spaces) & k_high_bits;
            if ((spaces & (spaces << 8)) != 0 || (previous_space && (spaces & 0x80) != 0)) {
                return false;
            }
            previous_space = (spaces >> 63) != 0;
        }
    }
    for (; pos < end; ++pos) {
        const unsigned char byte = static_cast<unsigned char>(text[pos]);
        const bool space = byte == ' ';
        if (byte >= 0x80 || byte < 0x20 || (space && previous_space)) {
            return false;
        }
        previous_space = space;
    }
    return true;
}

// Moves left from pos while at most budget collapsed bytes are taken; returns the new start.
std::size_t extend_left(std::string_view text, std::size_t pos, std::size_t budget)
{
    std::size_t taken = 0;
    bool previous_space = false;
    while (pos > 0) {
        std::size_t start = 0;
        const Decoded decoded = decode_before(text, pos, start);
        const bool space = is_space(decoded.codepoint);
        const std::size_t cost = space ? (previous_space ? 0 : 1) : decoded.length;
        if (taken + cost > budget) {
            break;
        }
        taken += cost;
        previous_space = space;
        pos = start;
    }
    return pos;
}

std::size_t extend_right(std::string_view text, std::size_t pos, std::size_t budget)
{
    std::size_t taken = 0;
    bool previous_space = false;
    while (pos < text.size()) {
        const Decoded decoded = decode_at(text, pos);
        const bool space = is_space(decoded.codepoint);
        const std::size_t cost = space ? (previous_space ? 0 : 1) : decoded.length;
        if (taken + cost > budget) {
            break;
        }
        taken += cost;
        previous_space = space;
        pos += decoded.length;
    }
    return pos;
}

bool space_before(std::string_view text, std::size_t pos)
{
    if (pos == 0) {
        return true;
    }
    std::size_t start = 0;
    return is_space(decode_before(text, pos, start).codepoint);
}

bool space_at(std::string_view text, std::size_t pos)
{
    return pos >= text.size() || is_space(decode_at(text, pos).codepoint);
}

// Only whitespace in text[begin, end)?
bool blank(std::string_view text, std::size_t begin, std::size_t end)
{
    for (std::size_t pos = begin; pos < end;) {
        const Decoded decoded = decode_at(text, pos);
        if (!is_space(decoded.codepoint)) {
            return false;
        }
        pos += decoded.length;
    }
    return true;
}

void trim_spaces(std::string& text)
{
    const auto first = text.find_first_not_of(' ');
    if (first == std::string::npos) {
        text.clear();
        return;
    }
    text.erase(0, first);
    text.erase(text.find_last_not_of(' ') + 1);
}

constexpr std::array<std::string_view, 16> k_inline_tags = {"a",    "abbr", "b",    "bdi",  "cite", "code", "em",   "font",
                                                            "i",    "mark", "q",    "s",    "small", "span", "strong", "u"};

bool is_inline_tag(std::string_view name)
{
    if (name == "sub" || name == "sup" || name == "time" || name == "wbr") {
        return true;
    }
    return std::find(k_inline_tags.begin(), k_inline_tags.end(), name) != k_inline_tags.end();
}

char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

void append_codepoint(std::string& out, std::uint32_t codepoint)
{
    if (codepoint == 0 || codepoint > 0x10FFFF || (codepoint >= 0xD800 && codepoint <= 0xDFFF)) {
        out.append(k_replacement);
        return;
    }
    utf8proc_uint8_t buffer[4];
    const auto length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(codepoint), buffer);
    out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
}

// Decodes the entity at html[pos] == '&'; returns the bytes consumed, 0 when not an entity.
std::size_t decode_entity(std::string_view html, std::size_t pos, std::string& out)
{
    const std::size_t semicolon = html.find(';', pos);
    if (semicolon == std::string_view::npos || semicolon - pos > 10) {
        return 0;
    }
    const std::string_view name = html.substr(pos + 1, semicolon - pos - 1);
    if (!name.empty() && name[0] == '#') {
        const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
        std::uint32_t value = 0;
        const std::string_view digits = name.substr(hex ? 2 : 1);
        if (digits.empty()) {
            return 0;
        }
        for (const char c : digits) {
            unsigned digit = 0;
            if (c >= '0' && c <= '9') {
                digit = static_cast<unsigned>(c - '0');
            } else if (hex && lower_ascii(c) >= 'a' && lower_ascii(c) <= 'f') {
                digit = static_cast<unsigned>(lower_ascii(c) - 'a' + 10);
            } else {
                return 0;
            }
            value = value * (hex ? 16 : 10) + digit;
            if (value > 0x10FFFF) {
                value = 0x110000;
            }
        }
        append_codepoint(out, value);
        return semicolon - pos + 1;
    }
    static constexpr std::pair<std::string_view, std::string_view> k_named[] = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"}};
    for (const auto& [entity, text] : k_named) {
        if (name == entity) {
            out.append(text);
            return semicolon - pos + 1;
        }
    }
    return 0;
}

}  // namespace

std::string repair_utf8(std::string_view text)
{
    if (is_ascii(text)) {
        return std::string(text);
    }
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    std::size_t run = 0;  // start of the valid bytes not yet copied
    while (pos < text.size()) {
        if (static_cast<unsigned char>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const Decoded decoded = decode_at(text, pos);
        if (decoded.codepoint < 0) {
            out.append(text.substr(run, pos - run));
            out.append(k_replacement);
            run = pos + decoded.length;
        }
        pos += decoded.length;
    }
    out.append(text.substr(run));
    return out;
}

std::string fold(std::string_view text)
{
    const std::string repaired = repair_utf8(text);
    return fold_valid(repaired);
}

std::string strip_markup(std::string_view html)
{
    if (html.find_first_of("<&") == std::string_view::npos) {
        return std::string(html);
    }
    std::string out;
    out.reserve(html.size());
    std::size_t pos = 0;
    while (pos < html.size()) {
        const char c = html[pos];
        if (c == '&') {
            const std::size_t used = decode_entity(html, pos, out);
            if (used == 0) {
                out.push_back('&');
                ++pos;
            } else {
                pos += used;
            }
            continue;
        }
        if (c != '<') {
            out.push_back(c);
            ++pos;
            continue;
        }
        if (html.substr(pos, 4) == "<!--") {
            const std::size_t close = html.find("-->", pos + 4);
            pos = close == std::string_view::npos ? html.size() : close + 3;
            out.push_back(' ');
            continue;
        }
        const std::size_t close = html.find('>', pos + 1);
        if (close == std::string_view::npos) {
            out.append(html.substr(pos));  // a lone '<' is text
            break;
        }
        std::size_t name_begin = pos + 1;
        const bool closing = name_begin < close && html[name_begin] == '/';
        name_begin += closing ? 1 : 0;
        std::size_t name_end = name_begin;
        std::string name;
        while (name_end < close && (std::isalnum(static_cast<unsigned char>(html[name_end])) != 0)) {
            name.push_back(lower_ascii(html[name_end]));
            ++name_end;
        }
        if (name.empty() && !closing && html[pos + 1] != '!' && html[pos + 1] != '?') {
            out.push_back('<');  // "a < b" is text
            ++pos;
            continue;
        }
        pos = close + 1;
        if (!closing && (name == "script" || name == "style")) {
            const std::string end_tag = "</" + name;
            std::size_t search = pos;
            std::size_t found = std::string_view::npos;
            while (search < html.size()) {
                const std::size_t candidate = html.find("</", search);
                if (candidate == std::string_view::npos) {
                    break;
                }
                std::string tag;
                for (std::size_t i = candidate; i < html.size() && i < candidate + end_tag.size(); ++i) {
                    tag.push_back(lower_ascii(html[i]));
                }
                if (tag == end_tag) {
                    found = candidate;
                    break;
                }
                search = candidate + 2;
            }
            const std::size_t end_close = found == std::string_view::npos ? std::string_view::npos : html.find('>', found);
            pos = end_close == std::string_view::npos ? html.size() : end_close + 1;
            out.push_back(' ');
            continue;
        }
        if (!is_inline_tag(name)) {
            out.push_back(' ');
        }
    }
    return out;
}

namespace {

// Which ASCII bytes are word characters (letters and digits), by table: the scanner's inner loop.
constexpr std::array<bool, 128> k_ascii_word = [] {
    std::array<bool, 128> table{};
    for (int c = 0; c < 128; ++c) {
        table[static_cast<std::size_t>(c)] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
    return table;
}();

}  // namespace

bool WordScanner::next()
{
    const std::string_view text = m_text;
    std::size_t pos = m_pos;
    for (;;) {
        // Up to the first character of a word: marks and format characters outside a word,
        // like everything else that is not a letter or a digit, belong to no word.
        while (pos < text.size()) {
            const auto byte = static_cast<unsigned char>(text[pos]);
            if (byte < 0x80) {
                if (k_ascii_word[byte]) {
                    break;
                }
                ++pos;
                continue;
            }
            const Decoded decoded = decode_at(text, pos);
            if (classify(decoded.codepoint) == CharClass::word) {
                break;
            }
            pos += decoded.length;
        }
        if (pos >= text.size()) {
            m_pos = pos;
            return false;
        }
        const std::size_t begin = pos;
        bool ascii = true;
        bool upper = false;
        while (pos < text.size()) {
            const auto byte = static_cast<unsigned char>(text[pos]);
            if (byte < 0x80) {
                if (!k_ascii_word[byte]) {
                    break;
                }
                upper = upper || (byte >= 'A' && byte <= 'Z');
                ++pos;
                continue;
            }
            const Decoded decoded = decode_at(text, pos);
            const CharClass kind = classify(decoded.codepoint);
            if (kind != CharClass::word && kind != CharClass::mark && kind != CharClass::format) {
                break;
            }
            ascii = false;  // a letter, mark or format character beyond ASCII: fold the whole word
            pos += decoded.length;
        }
        m_pos = pos;
        m_begin = begin;
        m_end = pos;
        const std::string_view word = text.substr(begin, pos - begin);
        if (ascii && !upper) {
            m_folded = word;
            return true;
        }
        if (ascii) {
            // What fold_valid() does to ASCII letters and digits, without scanning the word again.
            m_buffer.assign(word);
            for (char& c : m_buffer) {
                c = lower_ascii(c);
            }
        } else {
            m_buffer = fold_valid(word);
        }
        if (!m_buffer.empty()) {
            m_folded = m_buffer;
            return true;
        }
        // Only default-ignorable characters: no word, go on.
    }
}

std::vector<Token> tokenize(std::string_view text)
{
    std::vector<Token> tokens;
    WordScanner words(text);
    while (words.next()) {
        tokens.push_back(Token{std::string(words.folded()), words.begin(), words.end()});
    }
    return tokens;
}

std::string snippet(std::string_view text, std::size_t begin, std::size_t end, std::size_t max_bytes)
{
    // "… " before and " …" after the text where it was cut.
    const std::size_t ellipsis = k_ellipsis.size() + 1;
    if (max_bytes <= 2 * ellipsis) {
        return {};
    }
    begin = floor_to_char(text, std::min(begin, text.size()));
    end = ceil_to_char(text, std::max(begin, std::min(end, text.size())));

    std::string out;
    // Where every byte the window can reach is ASCII and whitespace is single spaces (most
    // article text), a byte is a collapsed byte and the walks below are arithmetic.
    const bool plain = plain_ascii(text, begin >= max_bytes ? begin - max_bytes : 0,
                                   std::min(text.size(), end + max_bytes));
    const std::size_t core = plain ? end - begin : collapsed_size(text, begin, end);
    if (core + 2 * ellipsis > max_bytes) {
        // The match alone does not fit: keep its start, cut at a word boundary if there is one.
        const bool cut_left = !blank(text, 0, begin);
        const std::size_t room = max_bytes - ellipsis * (cut_left ? 2 : 1);
        std::size_t stop = extend_right(text, begin, room);
        std::size_t word_stop = stop;
        while (word_stop > begin && !space_at(text, word_stop) && !space_before(text, word_stop)) {
            std::size_t start = 0;
            decode_before(text, word_stop, start);
            word_stop = start;
        }
        if (word_stop > begin) {
            stop = word_stop;
        }
        append_collapsed(out, text, begin, stop);
        trim_spaces(out);
        if (cut_left) {
            out.insert(0, std::string(k_ellipsis) + " ");
        }
        if (!blank(text, stop, text.size())) {
            out.append(" ").append(k_ellipsis);
        }
        return repair_utf8(out);
    }

    // Share the room left around the match; a side that runs out gives its rest to the other.
    const auto size_between = [&](std::size_t from, std::size_t to) {
        return plain ? to - from : collapsed_size(text, from, to);
    };
    const auto walk_left = [&](std::size_t pos, std::size_t budget) {
        return plain ? pos - std::min(pos, budget) : extend_left(text, pos, budget);
    };
    const auto walk_right = [&](std::size_t pos, std::size_t budget) {
        return plain ? std::min(text.size(), pos + budget) : extend_right(text, pos, budget);
    };
    const std::size_t room = max_bytes - core - 2 * ellipsis;
    std::size_t left = walk_left(begin, room / 2);
    std::size_t right = walk_right(end, room - size_between(left, begin));
    left = walk_left(begin, room - size_between(end, right));

    // Never show half a word at either edge.
    if (left > 0 && !space_before(text, left) && !space_at(text, left)) {
        std::size_t pos = left;
        while (pos < begin && !space_at(text, pos)) {
            pos += decode_at(text, pos).length;
        }
        if (pos < begin) {
            left = pos;
        }
    }
    if (right < text.size() && !space_at(text, right) && !space_before(text, right)) {
        std::size_t pos = right;
        while (pos > end && !space_before(text, pos)) {
            std::size_t start = 0;
            decode_before(text, pos, start);
            pos = start;
        }
        if (pos > end) {
            right = pos;
        }
    }

    out.reserve(max_bytes + 1);  // one allocation: the ellipses fit in max_bytes
    if (plain) {
        out.append(text.substr(left, right - left));  // nothing to collapse
    } else {
        append_collapsed(out, text, left, right);
    }
    trim_spaces(out);
    if (!blank(text, 0, left)) {
        out.insert(0, k_ellipsis_then_space);
    }
    if (!blank(text, right, text.size())) {
        out.append(" ").append(k_ellipsis);
    }
    if (plain) {
        return out;
    }
    return repair_utf8(out);
}

}  // namespace feedwatch::normalize
