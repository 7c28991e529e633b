#include "parse/entities.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>
#include <vector>

#include "parse/encoding.hpp"

namespace feedwatch::parse {
namespace {

// ISO 8859-1 names for U+00A0..U+00FF, in code point order (HTML 4.01 §24.2).
constexpr std::array<std::string_view, 96> k_latin1_names = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",   "ordf",
    "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",   "acute",  "micro",
    "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave",
    "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",
    "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",
    "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute",
    "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave",
    "iacute", "icirc",  "iuml",   "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide",
    "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

// Special characters, symbols and Greek (HTML 4.01 §24.3, §24.4) plus HTML5's &apos;.
constexpr std::array<std::pair<std::string_view, std::uint32_t>, 160> k_other_entities = {{
    {"OElig", 338},    {"oelig", 339},    {"Scaron", 352},   {"scaron", 353},   {"Yuml", 376},
    {"fnof", 402},     {"circ", 710},     {"tilde", 732},    {"ensp", 8194},    {"emsp", 8195},
    {"thinsp", 8201},  {"zwnj", 8204},    {"zwj", 8205},     {"lrm", 8206},     {"rlm", 8207},
    {"ndash", 8211},   {"mdash", 8212},   {"lsquo", 8216},   {"rsquo", 8217},   {"sbquo", 8218},
    {"ldquo", 8220},   {"rdquo", 8221},   {"bdquo", 8222},   {"dagger", 8224},  {"Dagger", 8225},
    {"bull", 8226},    {"hellip", 8230},  {"permil", 8240},  {"prime", 8242},   {"Prime", 8243},
    {"lsaquo", 8249},  {"rsaquo", 8250},  {"oline", 8254},   {"frasl", 8260},   {"euro", 8364},
    {"image", 8465},   {"weierp", 8472},  {"real", 8476},    {"trade", 8482},   {"alefsym", 8501},
    {"larr", 8592},    {"uarr", 8593},    {"rarr", 8594},    {"darr", 8595},    {"harr", 8596},
    {"crarr", 8629},   {"lArr", 8656},    {"uArr", 8657},    {"rArr", 8658},    {"dArr", 8659},
    {"hArr", 8660},    {"forall", 8704},  {"part", 8706},    {"exist", 8707},   {"empty", 8709},
    {"nabla", 8711},   {"isin", 8712},    {"notin", 8713},   {"ni", 8715},      {"prod", 8719},
    {"sum", 8721},     {"minus", 8722},   {"lowast", 8727},  {"radic", 8730},   {"prop", 8733},
    {"infin", 8734},   {"ang", 8736},     {"and", 8743},     {"or", 8744},      {"cap", 8745},
    {"cup", 8746},     {"int", 8747},     {"there4", 8756},  {"sim", 8764},     {"cong", 8773},
    {"asymp", 8776},   {"ne", 8800},      {"equiv", 8801},   {"le", 8804},      {"ge", 8805},
    {"sub", 8834},     {"sup", 8835},     {"nsub", 8836},    {"sube", 8838},    {"supe", 8839},
    {"oplus", 8853},   {"otimes", 8855},  {"perp", 8869},    {"sdot", 8901},    {"lceil", 8968},
    {"rceil", 8969},   {"lfloor", 8970},  {"rfloor", 8971},  {"lang", 9001},    {"rang", 9002},
    {"loz", 9674},     {"spades", 9824},  {"clubs", 9827},   {"hearts", 9829},  {"diams", 9830},
    {"Alpha", 913},    {"Beta", 914},     {"Gamma", 915},    {"Delta", 916},    {"Epsilon", 917},
    {"Zeta", 918},     {"Eta", 919},      {"Theta", 920},    {"Iota", 921},     {"Kappa", 922},
    {"Lambda", 923},   {"Mu", 924},       {"Nu", 925},       {"Xi", 926},       {"Omicron", 927},
    {"Pi", 928},       {"Rho", 929},      {"Sigma", 931},    {"Tau", 932},      {"Upsilon", 933},
    {"Phi", 934},      {"Chi", 935},      {"Psi", 936},      {"Omega", 937},    {"alpha", 945},
    {"beta", 946},     {"gamma", 947},    {"delta", 948},    {"epsilon", 949},  {"zeta", 950},
    {"eta", 951},      {"theta", 952},    {"iota", 953},     {"kappa", 954},    {"lambda", 955},
    {"mu", 956},       {"nu", 957},       {"xi", 958},       {"omicron", 959},  {"pi", 960},
    {"rho", 961},      {"sigmaf", 962},   {"sigma", 963},    {"tau", 964},      {"upsilon", 965},
    {"phi", 966},      {"chi", 967},      {"psi", 968},      {"omega", 969},    {"thetasym", 977},
    {"upsih", 978},    {"piv", 982},      {"amp", 38},       {"lt", 60},        {"gt", 62},
    {"quot", 34},      {"apos", 39},      {"hyphen", 8208},  {"horbar", 8213},  {"nbhy", 8209},
}};

using EntityTable = std::vector<std::pair<std::string_view, std::uint32_t>>;

const EntityTable& entity_table()
{
    static const EntityTable table = [] {
        EntityTable entries(k_other_entities.begin(), k_other_entities.end());
        for (std::size_t i = 0; i < k_latin1_names.size(); ++i) {
            entries.emplace_back(k_latin1_names[i], static_cast<std::uint32_t>(0xA0 + i));
        }
        std::sort(entries.begin(), entries.end());
        return entries;
    }();
    return table;
}

bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

bool is_xml_entity(std::string_view name)
{
    return name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
}

struct Reference {
    std::size_t length = 0;  // bytes from '&' through ';', 0 when not a reference
    bool numeric = false;
    std::string_view name;
    std::uint64_t value = 0;  // numeric value, saturated
};

// Reads a character reference at text[pos] == '&'. Only references terminated by ';'.
Reference read_reference(std::string_view text, std::size_t pos)
{
    Reference ref;
    std::size_t cursor = pos + 1;
    if (cursor < text.size() && text[cursor] == '#') {
        ++cursor;
        int base = 10;
        if (cursor < text.size() && (text[cursor] == 'x' || text[cursor] == 'X')) {
            base = 16;
            ++cursor;
        }
        const std::size_t digits_start = cursor;
        std::uint64_t value = 0;
        // Every digit is consumed (the value saturates): a long run left to pugixml would
        // overflow there into invalid UTF-8 (fuzz seed crash-long-numeric-reference).
        while (cursor < text.size()) {
            const char c = text[cursor];
            int digit = -1;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (base == 16 && c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else if (base == 16 && c >= 'A' && c <= 'F') {
                digit = c - 'A' + 10;
            } else {
                break;
            }
            value = std::min<std::uint64_t>(value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit),
                                            0x7FFFFFFF);
            ++cursor;
        }
        if (cursor == digits_start || cursor >= text.size() || text[cursor] != ';') {
            return ref;
        }
        ref.numeric = true;
        ref.value = value;
        ref.length = cursor + 1 - pos;
        return ref;
    }
    const std::size_t name_start = cursor;
    if (cursor >= text.size() || !is_alpha(text[cursor])) {
        return ref;
    }
    while (cursor < text.size() && is_alnum(text[cursor]) && cursor - name_start < 32) {
        ++cursor;
    }
    if (cursor >= text.size() || text[cursor] != ';') {
        return ref;
    }
    ref.name = text.substr(name_start, cursor - name_start);
    ref.length = cursor + 1 - pos;
    return ref;
}

bool is_valid_scalar(std::uint64_t value)
{
    return value != 0 && value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF);
}

}  // namespace

std::optional<std::uint32_t> html_entity_code_point(std::string_view name)
{
    const EntityTable& table = entity_table();
    const auto found = std::lower_bound(table.begin(), table.end(), name,
                                        [](const auto& entry, std::string_view key) { return entry.first < key; });
    if (found == table.end() || found->first != name) {
        return std::nullopt;
    }
    return found->second;
}

std::string normalize_xml_references(std::string_view xml)
{
    std::string out;
    if (!normalize_xml_references(xml, out)) {
        out.assign(xml);
    }
    return out;
}

bool normalize_xml_references(std::string_view xml, std::string& out)
{
    // Only '&' matters outside CDATA sections and comments; both are found with memchr-
    // backed searches, and nothing is copied until the first reference that must change
    // (most feeds use only the five XML entities).
    out.clear();
    std::size_t copied = 0;  // xml[0, copied) is in out (once changed)
    bool changed = false;
    const auto replace = [&](std::size_t pos, std::size_t length, std::string_view replacement) {
        if (!changed) {
            out.reserve(xml.size() + 64);
            changed = true;
        }
        out.append(xml.substr(copied, pos - copied));
        out.append(replacement);
        copied = pos + length;
    };
    std::size_t verbatim = xml.find("<!");
    std::size_t pos = xml.find('&');
    while (pos != std::string_view::npos) {
        while (verbatim != std::string_view::npos && pos != std::string_view::npos && verbatim < pos) {
            // Skip a CDATA section or comment that starts before this '&'.
            std::size_t after = verbatim + 2;
            for (const auto& [open, close] : {std::pair<std::string_view, std::string_view>{"<![CDATA[", "]]>"},
                                              std::pair<std::string_view, std::string_view>{"<!--", "-->"}}) {
                if (xml.substr(verbatim, open.size()) == open) {
                    const std::size_t found = xml.find(close, verbatim + open.size());
                    after = found == std::string_view::npos ? xml.size() : found + close.size();
                    break;
                }
            }
            if (after > pos) {
                pos = xml.find('&', after);
            }
            verbatim = xml.find("<!", after);
        }
        if (pos == std::string_view::npos) {
            break;
        }
        const Reference ref = read_reference(xml, pos);
        if (ref.length == 0) {
            pos = xml.find('&', pos + 1);
            continue;
        }
        if (ref.numeric) {
            if (!is_valid_scalar(ref.value)) {
                replace(pos, ref.length, "&#xFFFD;");
            }
        } else if (!is_xml_entity(ref.name)) {
            if (const auto code_point = html_entity_code_point(ref.name)) {
                replace(pos, ref.length, "&#" + std::to_string(*code_point) + ";");
            }
        }
        pos = xml.find('&', pos + ref.length);
    }
    if (changed) {
        out.append(xml.substr(copied));
    }
    return changed;
}

std::string decode_html_entities(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t next = text.find('&', pos);
        if (next == std::string_view::npos) {
            out.append(text.substr(pos));
            break;
        }
        out.append(text.substr(pos, next - pos));
        pos = next;
        const Reference ref = read_reference(text, pos);
        std::optional<std::uint32_t> code_point;
        if (ref.length > 0 && ref.numeric) {
            code_point = is_valid_scalar(ref.value) ? static_cast<std::uint32_t>(ref.value) : 0xFFFDu;
        } else if (ref.length > 0) {
            code_point = html_entity_code_point(ref.name);
        }
        if (code_point) {
            append_utf8(out, *code_point);
            pos += ref.length;
        } else {
            out.push_back('&');
            ++pos;
        }
    }
    return out;
}

}  // namespace feedwatch::parse
