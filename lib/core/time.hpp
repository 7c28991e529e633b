#pragma once
// Wall-clock instants as whole seconds, formatted as RFC 3339 in UTC.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace feedwatch::core {

using Instant = std::chrono::sys_seconds;

Instant now();
// "2026-11-24T10:00:00Z"
std::string format_rfc3339(Instant instant);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)"; nullopt otherwise.
std::optional<Instant> parse_rfc3339(std::string_view text);

}  // namespace feedwatch::core
