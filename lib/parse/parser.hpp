#pragma once
// Feed documents to model::ParsedFeed. Pure: no I/O. The only pugixml code.
#include <string_view>

#include "core/result.hpp"
#include "model/feed.hpp"

namespace feedwatch::parse {

struct ParseOptions {
    std::string_view content_type;  // HTTP Content-Type, for its charset
    std::string_view base_url;      // for relative links (the URL the document came from)
};

// Parses RSS 0.90-2.0, Atom 0.3/1.0 (feed or entry document) and JSON Feed 1.0/1.1. Fails
// with ErrorCode::parse (detail names offset and reason) when the document is not a feed or
// cannot be recovered.
//
// Memory is linear in document.size(), so the caller's body cap bounds it: the UTF-8 text
// is at most 3x the bytes (legacy encodings), reference normalisation at most 2.25x
// ("&ne;" -> "&#x2260;"), pugixml's DOM up to ~17x on element-dense input, and every item
// field is a copy or a shrinking transform of DOM text. Nothing expands: DTD entities are
// never expanded (no billion laughs), JSON deeper than 64 levels is refused before
// parsing, and deep nesting costs heap, not stack (pugixml and every walker here are
// iterative; HTML deeper than 256 levels skips gumbo). Time is linear too: duplicate ids,
// URL and entity rewriting are single passes (tests/parse/limits_test.cpp).
core::Result<model::ParsedFeed> parse_feed(std::string_view document, const ParseOptions& options = {});

}  // namespace feedwatch::parse
