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

// Parses RSS 2.0 or Atom 1.0. Fails with ErrorCode::parse (detail names offset and reason)
// when the document is not a feed or cannot be recovered.
core::Result<model::ParsedFeed> parse_feed(std::string_view document, const ParseOptions& options = {});

}  // namespace feedwatch::parse
