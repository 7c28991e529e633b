#pragma once
// OPML 1.0/2.0 subscription lists (http://opml.org/spec2.opml) to feed URLs. Pure: no I/O.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace feedwatch::parse {

struct OpmlFeed {
    std::string url;    // the outline's xmlUrl, trimmed
    std::string title;  // its title, else text
    std::vector<std::string> categories;  // titles of the enclosing outlines, outermost first
    int line = 0;  // 1-based line of the outline in the document
};

// Every outline with an xmlUrl, in document order (duplicates kept). Fails with
// ErrorCode::parse when the document is not well-formed XML or has no <opml><body>.
core::Result<std::vector<OpmlFeed>> read_opml(std::string_view document);

}  // namespace feedwatch::parse
