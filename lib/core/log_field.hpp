#pragma once
// Log lines are "<what happened> key=value ... [hint="what to do"]" (logfmt fields after a
// plain message), so that `journalctl -u feedwatchd | grep feed_url=...` finds every line about
// one feed and a log shipper can split the fields without a grammar per message.
#include <string>
#include <string_view>

namespace feedwatch::core {

// value as a logfmt value: bare when it has no space, quote, '=' or control character,
// otherwise in double quotes with '"' and '\' escaped and control characters as \n, \t or
// \xHH. Empty becomes "".
std::string log_value(std::string_view value);

}  // namespace feedwatch::core
