#pragma once
// Internal helpers over pugixml shared by the dialect readers: namespace-aware names
// (pugixml has no namespace support), character data, xml:base and recovery bookkeeping.
#include <cstddef>
#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace feedwatch::parse::xml {

namespace ns {
inline constexpr std::string_view atom10 = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view atom03 = "http://purl.org/atom/ns#";
inline constexpr std::string_view rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
inline constexpr std::string_view rss10 = "http://purl.org/rss/1.0/";
inline constexpr std::string_view rss090 = "http://my.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view dc = "http://purl.org/dc/elements/1.1/";
inline constexpr std::string_view dcterms = "http://purl.org/dc/terms/";
inline constexpr std::string_view content = "http://purl.org/rss/1.0/modules/content/";
inline constexpr std::string_view itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
inline constexpr std::string_view xhtml = "http://www.w3.org/1999/xhtml";
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";
inline constexpr std::string_view media = "http://search.yahoo.com/mrss/";
}  // namespace ns

// Name after the prefix: "dc:creator" -> "creator".
std::string_view local_name(pugi::xml_node node);

// Namespace URI of an element from the xmlns declarations in scope; undeclared common
// prefixes (dc, content, atom, itunes, rdf) get their usual URI; "" when none.
std::string_view namespace_uri(pugi::xml_node node);

bool is(pugi::xml_node node, std::string_view ns, std::string_view local);

// First element child with this namespace and local name.
pugi::xml_node child(pugi::xml_node parent, std::string_view ns, std::string_view local);

// Character data of the element's children (text and CDATA concatenated); when it has
// element children (unescaped markup in a description) their XML is kept verbatim.
std::string text(pugi::xml_node node);

// The element's children serialised as XML (for Atom type="xhtml").
std::string inner_xml(pugi::xml_node node);

// Effective base URI of node: document_base with every xml:base from the root down
// applied (XML Base §4.2).
std::string base_uri(pugi::xml_node node, std::string_view document_base);

std::string_view trim(std::string_view text);

// Where a failed parse stopped; elements not closed before it are incomplete.
struct Recovery {
    std::string_view buffer;  // the text given to pugixml
    std::size_t error_offset = 0;
};

// True when element was closed before the parser stopped.
bool is_complete(pugi::xml_node element, const Recovery& recovery);

}  // namespace feedwatch::parse::xml
