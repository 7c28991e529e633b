#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme"):
// HMAC-SHA256 over "<msg_id>.<timestamp>.<body>", base64, prefixed "v1,". Several
// signatures separated by spaces let a receiver rotate secrets.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace feedwatch::deliver {

// The key bytes of a configured secret: "whsec_<base64>" decodes the base64 part; any other
// string is used as raw bytes. nullopt when a "whsec_" secret is not valid base64 or empty.
std::optional<std::string> decode_secret(std::string_view secret);

// "v1," + base64(HMAC-SHA256(key, msg_id + "." + timestamp + "." + body)).
std::string sign(std::string_view secret_key_bytes, std::string_view msg_id, std::int64_t timestamp,
                 std::string_view body);

// The webhook-signature header value: one "v1,…" per configured secret (see decode_secret),
// joined with a space. Secrets that do not decode are skipped; empty when none is usable.
std::string signature_header(const std::vector<std::string>& secrets, std::string_view msg_id, std::int64_t timestamp,
                             std::string_view body);

// For receivers and tests: true when any "v1,…" signature in header matches any of the
// configured secrets. Constant-time comparison. Checking the timestamp's age is the caller's.
bool verify(const std::vector<std::string>& secrets, std::string_view msg_id, std::int64_t timestamp,
            std::string_view body, std::string_view header);

}  // namespace feedwatch::deliver
