#pragma once
// What the parser produces from one feed document. Absent fields are empty strings or
// nullopt; every string is valid UTF-8.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace feedwatch::model {

struct Enclosure {
    std::string url;
    std::string type;
    std::uint64_t length = 0;
};

struct Item {
    std::string id;  // guid/id, or a stable fallback (link, else hash of title+date+content)
    std::string title;  // plain text
    std::string link;   // absolute
    std::optional<core::Instant> published;
    std::optional<core::Instant> updated;
    std::string author;
    std::string summary;  // as published (HTML kept)
    std::string content;  // as published (HTML kept)
    std::string text;     // plain text of summary/content used for matching
    std::vector<std::string> categories;
    std::vector<Enclosure> enclosures;
};

struct FeedMeta {
    std::string title;
    std::string link;
    std::string id;
    std::string subtitle;
    std::string language;
    std::optional<core::Instant> updated;
    std::string author;
    std::string generator;
    std::string image;
    // Publisher hints for how often to poll: RSS 2.0 <ttl> (minutes, as seconds) and the
    // syndication module's sy:updatePeriod / sy:updateFrequency (period ÷ frequency).
    std::optional<std::chrono::seconds> ttl;
    std::optional<std::chrono::seconds> update_period;
};

struct ParsedFeed {
    std::string format;    // "rss2.0", "atom1.0", ...
    std::string encoding;  // lower-case IANA name of the source encoding
    bool malformed = false;
    std::vector<std::string> errors;  // where and what, when malformed
    FeedMeta feed;
    std::vector<Item> items;
};

}  // namespace feedwatch::model
