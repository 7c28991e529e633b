#include "normalize/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include <utf8proc.h>

namespace feedwatch::normalize {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view k_ellipsis = "\xE2\x80\xA6";     // U+2026

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
    while (pos < end) {
        const Decoded decoded = decode_at(text, pos);
        if (is_space(decoded.codepoint)) {
            if (out.empty() || out.back() != ' ') {
                out.push_back(' ');
            }
        } else {
            out.append(text.substr(pos, decoded.length));
        }
        pos += decoded.length;
    }
}

// Bytes that text[begin, end) occupies once whitespace is collapsed (upper bound).
std::size_t collapsed_size(std::string_view text, std::size_t begin, std::size_t end)
{
    std::string scratch;
    append_collapsed(scratch, text, begin, end);
    return scratch.size();
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

}  // namespace

std::string repair_utf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const Decoded decoded = decode_at(text, pos);
        if (decoded.codepoint < 0) {
            out.append(k_replacement);
        } else {
            out.append(text.substr(pos, decoded.length));
        }
        pos += decoded.length;
    }
    return out;
}

std::string fold(std::string_view text)
{
    const std::string repaired = repair_utf8(text);
    return fold_valid(repaired);
}

std::vector<Token> tokenize(std::string_view text)
{
    std::vector<Token> tokens;
    std::size_t pos = 0;
    std::size_t word_begin = 0;
    bool in_word = false;
    const auto close_word = [&](std::size_t word_end) {
        in_word = false;
        std::string folded = fold_valid(text.substr(word_begin, word_end - word_begin));
        if (!folded.empty()) {
            tokens.push_back(Token{std::move(folded), word_begin, word_end});
        }
    };
    while (pos < text.size()) {
        const Decoded decoded = decode_at(text, pos);
        const CharClass kind = classify(decoded.codepoint);
        if (kind == CharClass::word) {
            if (!in_word) {
                in_word = true;
                word_begin = pos;
            }
        } else if (in_word && kind != CharClass::mark && kind != CharClass::format) {
            close_word(pos);
        }
        pos += decoded.length;
    }
    if (in_word) {
        close_word(text.size());
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
    const std::size_t core = collapsed_size(text, begin, end);
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
    const std::size_t room = max_bytes - core - 2 * ellipsis;
    std::size_t left = extend_left(text, begin, room / 2);
    std::size_t right = extend_right(text, end, room - collapsed_size(text, left, begin));
    left = extend_left(text, begin, room - collapsed_size(text, end, right));

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

    append_collapsed(out, text, left, right);
    trim_spaces(out);
    if (!blank(text, 0, left)) {
        out.insert(0, std::string(k_ellipsis) + " ");
    }
    if (!blank(text, right, text.size())) {
        out.append(" ").append(k_ellipsis);
    }
    return repair_utf8(out);
}

}  // namespace feedwatch::normalize
