#pragma once
// Byte documents to UTF-8 before any XML parsing (XML 1.0 Appendix F, RFC 7303 §3):
// a byte-order mark wins, then the HTTP charset, then the XML declaration, then UTF-8.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace feedwatch::parse {

struct DecodedDocument {
    std::string text;                  // valid UTF-8, without byte-order mark
    std::string encoding;              // lower-case name of the encoding actually used
    bool malformed = false;            // bytes had to be replaced or reinterpreted
    std::vector<std::string> errors;   // what was repaired, with byte offsets
};

// Returns the charset parameter of an HTTP Content-Type value, lower-case, unquoted;
// empty when there is none.
std::string charset_from_content_type(std::string_view content_type);

// Returns the encoding named by an XML declaration at the start of an ASCII-compatible
// document, lower-case; empty when there is none.
std::string declared_xml_encoding(std::string_view document);

// Converts document to UTF-8 (iconv for anything but UTF-8). Never fails: invalid bytes in
// a non-UTF-8 encoding become U+FFFD; a document claimed as UTF-8 that is not valid UTF-8
// keeps its valid sequences and has each invalid byte decoded as windows-1252 (the usual
// cause is a Latin-1 feed labelled UTF-8). Either case sets malformed and adds an error.
DecodedDocument decode_to_utf8(std::string_view document, std::string_view content_type);

// True when text is valid UTF-8 (no overlongs, surrogates or values above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Appends the UTF-8 encoding of code_point (caller passes a Unicode scalar value).
void append_utf8(std::string& out, std::uint32_t code_point);

// Replaces every invalid UTF-8 byte of text by U+FFFD.
std::string repair_utf8(std::string_view text);

// Repairs valid UTF-8 text that was UTF-8 decoded as Latin-1/windows-1252 and encoded
// again ("don\u00e2\u20ac\u2122t" -> "don\u2019t"): when every non-ASCII character is
// one that decoder yields and their bytes form valid UTF-8, text becomes those bytes.
// Returns whether it changed. The same guess feedparser makes for UTF-8 documents.
bool undo_double_encoding(std::string& text);

// Replaces the C1 controls U+0080..U+009F (never text in a feed: they come from
// windows-1252 bytes or references like &#146; taken as Unicode) by the windows-1252
// characters of the same byte value (U+0092 -> U+2019), as HTML5 does for references.
// The five values windows-1252 leaves undefined stay.
void map_c1_controls(std::string& text);

}  // namespace feedwatch::parse
