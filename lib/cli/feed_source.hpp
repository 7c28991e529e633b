#pragma once
// Where the feed-reading commands (parse, match) get a document: a file, "-" for standard
// input, or an http(s) URL.
#include <string>

#include "core/result.hpp"

namespace feedwatch::cli {

struct FeedSource {
    std::string body;
    std::string content_type;  // from HTTP, else empty
    std::string base;          // URL after redirects, else empty
};

bool is_url(const std::string& text);

// Reads input. A URL is fetched with private addresses allowed (the user named it); a
// non-2xx status fails with ErrorCode::http_status, an unreadable file with ErrorCode::io.
core::Result<FeedSource> read_feed_source(const std::string& input);

}  // namespace feedwatch::cli
