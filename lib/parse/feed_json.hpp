#pragma once
// JSON form of a parsed feed, for `feedwatch parse --json` and the conformance tools.
#include <string>

#include "model/feed.hpp"

namespace feedwatch::parse {

// Serialises feed as one line of JSON:
// {"format","encoding","malformed","errors","feed":{...},"items":[{...}]}. format,
// encoding, malformed, errors, feed and items are always present; every other key is
// left out when empty. Dates are RFC 3339 UTC. Invalid UTF-8 is replaced, never thrown.
std::string to_json(const model::ParsedFeed& feed);

}  // namespace feedwatch::parse
