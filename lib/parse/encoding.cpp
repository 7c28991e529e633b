#include "parse/encoding.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <iconv.h>

namespace feedwatch::parse {
namespace {

char to_lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        out.push_back(to_lower_ascii(c));
    }
    return out;
}

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Canonical lower-case name for the labels feeds use; unknown labels pass through.
std::string canonical_name(std::string_view label)
{
    std::string name = lower(label);
    // IANA charset names are short ASCII tokens; anything else (NUL, controls, bytes of a
    // garbled declaration) is unknown. iconv_open would read a NUL-truncated name.
    const bool token = name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                                  c == '.' || c == ':' || c == '+' || c == '(' || c == ')';
                       });
    if (!token) {
        return "x-invalid-label";
    }
    if (name == "utf8") {
        return "utf-8";
    }
    if (name == "latin1" || name == "latin-1" || name == "iso8859-1" || name == "iso_8859-1" || name == "l1" ||
        name == "iso-latin-1" || name == "iso_8859-1:1987") {
        return "iso-8859-1";
    }
    if (name == "cp1252" || name == "x-cp1252" || name == "win-1252" || name == "windows1252") {
        return "windows-1252";
    }
    if (name == "ascii" || name == "us_ascii" || name == "ansi_x3.4-1968") {
        return "us-ascii";
    }
    if (name == "utf16") {
        return "utf-16";
    }
    // WHATWG Encoding Standard: gb2312 and gbk labels decode as GB18030, a superset.
    if (name == "gb2312" || name == "gbk" || name == "x-gbk" || name == "csgb2312" || name == "chinese") {
        return "gb18030";
    }
    return name;
}

// Length of the valid UTF-8 sequence starting at text[pos], or 0 when it is invalid.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos)
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        return 1;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) {
            low = 0xA0;  // overlong
        } else if (lead == 0xED) {
            high = 0x9F;  // surrogates
        }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) {
            low = 0x90;
        } else if (lead == 0xF4) {
            high = 0x8F;  // above U+10FFFF
        }
    } else {
        return 0;
    }
    if (pos + length > text.size()) {
        return 0;
    }
    if (byte(pos + 1) < low || byte(pos + 1) > high) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) {
            return 0;
        }
    }
    return length;
}

// windows-1252 bytes 0x80..0x9F (WHATWG Encoding Standard); the five undefined bytes map
// to the C1 controls of the same value, as browsers do.
constexpr std::array<std::uint16_t, 32> k_windows_1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::uint32_t windows_1252_code_point(unsigned char byte)
{
    if (byte >= 0x80 && byte <= 0x9F) {
        return k_windows_1252_high[byte - 0x80];
    }
    return byte;
}

std::string decode_windows_1252(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    for (char c : bytes) {
        append_utf8(out, windows_1252_code_point(static_cast<unsigned char>(c)));
    }
    return out;
}

struct IconvResult {
    bool opened = false;
    std::size_t replaced = 0;
    std::size_t first_bad_offset = 0;
};

IconvResult iconv_to_utf8(std::string_view bytes, const std::string& from, std::string& out)
{
    IconvResult result;
    iconv_t converter = iconv_open("UTF-8", from.c_str());
    if (converter == reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1))) {
        return result;
    }
    result.opened = true;
    const std::size_t unit = (from.rfind("utf-32", 0) == 0) ? 4 : (from.rfind("utf-16", 0) == 0 ? 2 : 1);
    out.clear();
    out.resize(bytes.size() * 2 + 16);
    char* input = const_cast<char*>(bytes.data());
    std::size_t input_left = bytes.size();
    std::size_t written = 0;
    while (input_left > 0) {
        char* output = out.data() + written;
        std::size_t output_left = out.size() - written;
        const std::size_t rc = iconv(converter, &input, &input_left, &output, &output_left);
        written = out.size() - output_left;
        if (rc != static_cast<std::size_t>(-1)) {
            break;
        }
        if (errno == E2BIG) {
            out.resize(out.size() * 2);
            continue;
        }
        // EILSEQ (invalid sequence) or EINVAL (truncated at the end): replace one unit.
        if (result.replaced++ == 0) {
            result.first_bad_offset = bytes.size() - input_left;
        }
        out.resize(written);
        append_utf8(out, 0xFFFD);
        written = out.size();
        out.resize(written + input_left * 4 + 16);
        const std::size_t skip = std::min(unit, input_left);
        input += skip;
        input_left -= skip;
    }
    out.resize(written);
    iconv_close(converter);
    return result;
}

struct Sniffed {
    std::string encoding;  // from the byte-order mark or the UTF-16/32 pattern
    std::size_t bom_length = 0;
};

Sniffed sniff_byte_order(std::string_view doc)
{
    const auto starts = [&](std::string_view prefix) { return doc.substr(0, prefix.size()) == prefix; };
    using namespace std::string_view_literals;
    if (starts("\xEF\xBB\xBF"sv)) {
        return {"utf-8", 3};
    }
    if (starts("\x00\x00\xFE\xFF"sv)) {
        return {"utf-32be", 4};
    }
    if (starts("\xFF\xFE\x00\x00"sv)) {
        return {"utf-32le", 4};
    }
    if (starts("\xFE\xFF"sv)) {
        return {"utf-16be", 2};
    }
    if (starts("\xFF\xFE"sv)) {
        return {"utf-16le", 2};
    }
    // No mark: '<' in UTF-32 or UTF-16 (XML 1.0 Appendix F.1); U+0000 cannot follow it.
    if (starts("\x3C\x00\x00\x00"sv)) {
        return {"utf-32le", 0};
    }
    if (starts("\x00\x00\x00\x3C"sv)) {
        return {"utf-32be", 0};
    }
    if (starts("\x3C\x00"sv) && doc.size() >= 4 && doc[3] == '\0') {
        return {"utf-16le", 0};
    }
    if (starts("\x00\x3C"sv) && doc.size() >= 4 && doc[2] == '\0') {
        return {"utf-16be", 0};
    }
    return {};
}

bool is_utf8_family(const std::string& name)
{
    return name == "utf-8" || name == "us-ascii";
}

}  // namespace

void append_utf8(std::string& out, std::uint32_t code_point)
{
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

std::string charset_from_content_type(std::string_view content_type)
{
    const std::string lowered = lower(content_type);
    std::size_t pos = 0;
    while ((pos = lowered.find("charset", pos)) != std::string::npos) {
        std::size_t cursor = pos + 7;
        while (cursor < lowered.size() && is_space(lowered[cursor])) {
            ++cursor;
        }
        if (cursor < lowered.size() && lowered[cursor] == '=') {
            ++cursor;
            while (cursor < lowered.size() && is_space(lowered[cursor])) {
                ++cursor;
            }
            std::string value;
            const bool quoted = cursor < lowered.size() && (lowered[cursor] == '"' || lowered[cursor] == '\'');
            const char quote = quoted ? lowered[cursor++] : '\0';
            while (cursor < lowered.size()) {
                const char c = lowered[cursor++];
                if (quoted ? c == quote : (c == ';' || is_space(c))) {
                    break;
                }
                value.push_back(c);
            }
            return value;
        }
        pos = cursor;
    }
    return {};
}

std::string declared_xml_encoding(std::string_view document)
{
    if (document.substr(0, 5) != "<?xml") {
        return {};
    }
    const std::size_t end = document.substr(0, 1024).find("?>");
    if (end == std::string_view::npos) {
        return {};
    }
    const std::string_view declaration = document.substr(0, end);
    const std::size_t key = declaration.find("encoding");
    if (key == std::string_view::npos) {
        return {};
    }
    std::size_t cursor = key + 8;
    while (cursor < declaration.size() && is_space(declaration[cursor])) {
        ++cursor;
    }
    if (cursor >= declaration.size() || declaration[cursor] != '=') {
        return {};
    }
    ++cursor;
    while (cursor < declaration.size() && is_space(declaration[cursor])) {
        ++cursor;
    }
    if (cursor >= declaration.size() || (declaration[cursor] != '"' && declaration[cursor] != '\'')) {
        return {};
    }
    const char quote = declaration[cursor++];
    const std::size_t close = declaration.find(quote, cursor);
    if (close == std::string_view::npos) {
        return {};
    }
    return lower(declaration.substr(cursor, close - cursor));
}

bool is_valid_utf8(std::string_view text)
{
    for (std::size_t pos = 0; pos < text.size();) {
        // ASCII runs eight bytes at a time.
        if (pos + 8 <= text.size()) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + pos, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                pos += 8;
                continue;
            }
        }
        const std::size_t length = utf8_sequence_length(text, pos);
        if (length == 0) {
            return false;
        }
        pos += length;
    }
    return true;
}

std::string repair_utf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t length = utf8_sequence_length(text, pos);
        if (length == 0) {
            append_utf8(out, 0xFFFD);
            ++pos;
        } else {
            out.append(text.substr(pos, length));
            pos += length;
        }
    }
    return out;
}

DecodedDocument decode_to_utf8(std::string_view document, std::string_view content_type)
{
    DecodedDocument decoded;
    const Sniffed sniffed = sniff_byte_order(document);
    std::string_view body = document.substr(sniffed.bom_length);

    std::string label;
    std::string declared;
    if (!sniffed.encoding.empty()) {
        label = sniffed.encoding;
    } else {
        declared = canonical_name(declared_xml_encoding(body));
        const std::string http = canonical_name(charset_from_content_type(content_type));
        label = !http.empty() ? http : (!declared.empty() ? declared : "utf-8");
    }
    // A UTF-16/32 label on a document whose first bytes are not UTF-16/32 (it had a
    // readable ASCII declaration, or starts like one): the label is wrong, read as UTF-8.
    if (sniffed.encoding.empty() && (label.rfind("utf-16", 0) == 0 || label.rfind("utf-32", 0) == 0 ||
                                     label == "ucs-2" || label == "ucs-4")) {
        label = "utf-8";
    }

    if (is_utf8_family(label) && is_valid_utf8(body)) {
        decoded.text.assign(body);  // the common case: one copy, no per-sequence appends
        decoded.encoding = label;
        return decoded;
    }
    if (is_utf8_family(label)) {
        std::size_t first_bad = std::string_view::npos;
        bool saw_multibyte = false;
        std::string out;
        out.reserve(body.size());
        for (std::size_t pos = 0; pos < body.size();) {
            const std::size_t length = utf8_sequence_length(body, pos);
            if (length == 0) {
                if (first_bad == std::string_view::npos) {
                    first_bad = pos;
                }
                append_utf8(out, windows_1252_code_point(static_cast<unsigned char>(body[pos])));
                ++pos;
            } else {
                saw_multibyte = saw_multibyte || length > 1;
                out.append(body.substr(pos, length));
                pos += length;
            }
        }
        decoded.text = std::move(out);
        decoded.encoding = label;
        if (first_bad != std::string_view::npos) {
            // The declaration may name the real encoding while HTTP claims UTF-8.
            if (!declared.empty() && !is_utf8_family(declared)) {
                std::string converted;
                const IconvResult result = iconv_to_utf8(body, declared, converted);
                if (result.opened && result.replaced == 0) {
                    decoded.text = std::move(converted);
                    decoded.encoding = declared;
                    decoded.malformed = true;
                    decoded.errors.push_back("offset " + std::to_string(first_bad + sniffed.bom_length) +
                                             ": not valid " + label + "; decoded as declared " + declared);
                    return decoded;
                }
            }
            decoded.malformed = true;
            if (!saw_multibyte) {
                decoded.encoding = "windows-1252";
            }
            decoded.errors.push_back("offset " + std::to_string(first_bad + sniffed.bom_length) + ": not valid " +
                                     label + "; invalid bytes decoded as windows-1252");
        }
        return decoded;
    }

    if (label == "windows-1252" || label == "iso-8859-1") {
        // WHATWG: iso-8859-1 labels mean windows-1252; C1 bytes in real Latin-1 feeds are
        // almost always cp1252 punctuation.
        decoded.text = decode_windows_1252(body);
        decoded.encoding = label;
        return decoded;
    }

    std::string converted;
    const IconvResult result = iconv_to_utf8(body, label, converted);
    if (!result.opened) {
        decoded = decode_to_utf8(body, "charset=utf-8");
        decoded.malformed = true;
        decoded.errors.insert(decoded.errors.begin(), "unknown encoding '" + repair_utf8(label) + "'; assumed utf-8");
        return decoded;
    }
    decoded.text = std::move(converted);
    decoded.encoding = label;
    if (result.replaced > 0) {
        decoded.malformed = true;
        decoded.errors.push_back("offset " + std::to_string(result.first_bad_offset + sniffed.bom_length) + ": " +
                                 std::to_string(result.replaced) + " invalid " + label +
                                 " sequence(s) replaced by U+FFFD");
    }
    if (decoded.text.substr(0, 3) == "\xEF\xBB\xBF") {
        decoded.text.erase(0, 3);
    }
    return decoded;
}

}  // namespace feedwatch::parse

namespace feedwatch::parse {
namespace {

// Reads the code point of the valid UTF-8 sequence at text[pos]; advances pos.
std::uint32_t next_code_point(std::string_view text, std::size_t& pos)
{
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }
    const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    std::uint32_t value = lead & (length == 2 ? 0x1Fu : length == 3 ? 0x0Fu : 0x07u);
    for (std::size_t i = 1; i < length; ++i) {
        value = (value << 6) | (byte(pos + i) & 0x3Fu);
    }
    pos += length;
    return value;
}

// The windows-1252 (or Latin-1) byte that decodes to code_point; -1 when none does.
int windows_1252_byte(std::uint32_t code_point)
{
    if (code_point <= 0xFF) {
        return static_cast<int>(code_point);
    }
    for (std::size_t i = 0; i < k_windows_1252_high.size(); ++i) {
        if (k_windows_1252_high[i] == code_point) {
            return static_cast<int>(0x80 + i);
        }
    }
    return -1;
}

}  // namespace

namespace {

// Offset of the first byte >= 0x80 from pos, eight bytes at a time; size when none.
std::size_t first_non_ascii(std::string_view text, std::size_t pos)
{
    for (; pos + 8 <= text.size(); pos += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, text.data() + pos, 8);
        if ((word & 0x8080808080808080ULL) != 0) {
            break;
        }
    }
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0x80) == 0) {
        ++pos;
    }
    return pos;
}

}  // namespace

bool undo_double_encoding(std::string& text)
{
    const auto is_high = [](char c) { return (c & 0x80) != 0; };
    std::size_t pos = first_non_ascii(text, 0);
    if (pos == text.size()) {
        return false;
    }
    // Every non-ASCII character must be one a Latin-1/windows-1252 decoder produces, and
    // the bytes it came from must form valid UTF-8: then the text was UTF-8 read as
    // windows-1252 and written out again ("â€¦" for "…"). First a check that builds
    // nothing and gives up at the first character that does not fit (correct text
    // almost always fails on its first non-ASCII character).
    int continuation = 0;  // continuation bytes still expected
    while (pos < text.size()) {
        if (!is_high(text[pos])) {
            if (continuation > 0) {
                return false;
            }
            pos = first_non_ascii(text, pos);
            continue;
        }
        const int byte = windows_1252_byte(next_code_point(text, pos));
        if (byte < 0) {
            return false;
        }
        if (byte < 0x80) {
            if (continuation > 0) {
                return false;
            }
        } else if (byte <= 0xBF) {
            if (continuation == 0) {
                return false;
            }
            --continuation;
        } else if (continuation > 0 || byte < 0xC2 || byte > 0xF4) {
            return false;
        } else {
            continuation = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : 1;
        }
    }
    if (continuation > 0) {
        return false;
    }
    std::string bytes;
    bytes.reserve(text.size());
    for (pos = 0; pos < text.size();) {
        bytes.push_back(static_cast<char>(windows_1252_byte(next_code_point(text, pos))));
    }
    if (!is_valid_utf8(bytes)) {
        return false;  // overlongs, surrogates: not UTF-8 after all
    }
    text = std::move(bytes);
    return true;
}

void map_c1_controls(std::string& text)
{
    std::size_t found = text.find('\xC2');
    if (found == std::string::npos) {
        return;
    }
    std::string out;
    out.reserve(text.size() + 8);
    std::size_t copied = 0;
    for (; found != std::string::npos; found = text.find('\xC2', found + 1)) {
        if (found + 1 >= text.size()) {
            break;
        }
        const auto next = static_cast<unsigned char>(text[found + 1]);
        if (next < 0x80 || next > 0x9F) {
            continue;
        }
        const std::uint32_t code_point = windows_1252_code_point(next);
        if (code_point == next) {
            continue;  // one of the five bytes windows-1252 leaves undefined
        }
        out.append(text, copied, found - copied);
        append_utf8(out, code_point);
        copied = found + 2;
        ++found;
    }
    if (copied == 0) {
        return;
    }
    out.append(text, copied, std::string::npos);
    text = std::move(out);
}

}  // namespace feedwatch::parse
