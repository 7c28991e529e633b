#pragma once
// Feed dates: RFC 822/1123/2822 (RSS pubDate, with obsolete zone names and common
// deviations) and ISO 8601/W3C-DTF (Atom, dc:date).
#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace feedwatch::parse {

// Parses a feed date to an instant in UTC. A missing zone means UTC; a missing time means
// midnight. Returns nullopt when text is not a recognisable date or names an impossible
// one (2023-02-30).
std::optional<core::Instant> parse_date(std::string_view text);

}  // namespace feedwatch::parse
