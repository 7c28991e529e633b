#pragma once
// Which peer addresses a fetch of an untrusted URL may connect to. Checked after DNS, on the
// address curl is about to connect to (CURLOPT_OPENSOCKETFUNCTION), so a hostname that
// resolves to a private address is refused as well as a literal one.
#include <string_view>

#include "core/asio.hpp"

namespace feedwatch::http {

// True when address is not a public unicast address: loopback, RFC 1918 private, shared
// address space 100.64/10, link-local (169.254/16 incl. the cloud metadata address
// 169.254.169.254, fe80::/10), unique-local fc00::/7, site-local fec0::/10, multicast,
// unspecified, broadcast, reserved and documentation ranges, and IPv6 forms that embed or
// tunnel to an IPv4 address (v4-mapped ::ffff:0:0/96, v4-compatible ::/96, NAT64
// 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32). Any IPv6 address
// outside global unicast 2000::/3 counts as private.
bool is_private_address(const asio::ip::address& address) noexcept;

// Same for a textual address ("127.0.0.1", "::1"); text that is not an IP address is
// reported as private (refused), so that a caller never lets an unparsed value through.
bool is_private_address(std::string_view text) noexcept;

}  // namespace feedwatch::http
