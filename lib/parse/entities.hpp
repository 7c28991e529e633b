#pragma once
// HTML character references inside XML feeds. XML knows five named entities; feeds use
// HTML's (&nbsp; &hellip; &eacute;), which pugixml would leave as literal text.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace feedwatch::parse {

// Code point of an HTML 4 named entity (Latin-1, symbols, Greek, typographic), case
// sensitive, without '&' and ';'; nullopt when unknown.
std::optional<std::uint32_t> html_entity_code_point(std::string_view name);

// Rewrites an XML document so that pugixml decodes it right: HTML named entities become
// numeric references, and numeric references to U+0000, surrogates or values above
// U+10FFFF become &#xFFFD; (pugixml truncates at &#0;). The five XML entities, unknown
// names, CDATA sections and comments are left alone. Linear time.
std::string normalize_xml_references(std::string_view xml);

// The same into out; returns false, with out left empty, when xml needs no change (then
// the caller can use xml itself and skip a copy).
bool normalize_xml_references(std::string_view xml, std::string& out);

// Decodes HTML character references (named from the table above, decimal, hex) in text;
// anything unrecognised stays literal.
std::string decode_html_entities(std::string_view text);

}  // namespace feedwatch::parse
