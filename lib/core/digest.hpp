#pragma once
// Stable identifiers. Ids derived from content must never change across versions: they
// key the seen index and the webhook-id, and a changed id means a duplicate alert.
#include <string>
#include <string_view>

namespace feedwatch::core {

// Lower-case hex SHA-256 of data (64 characters).
std::string sha256_hex(std::string_view data);

// HMAC-SHA256 of message under key, as raw bytes (32 bytes).
std::string hmac_sha256(std::string_view key, std::string_view message);

std::string base64_encode(std::string_view bytes);
// Empty optional-like: returns false when input is not valid base64.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace feedwatch::core
