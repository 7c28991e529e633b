#include "deliver/signature.hpp"

#include <openssl/crypto.h>

#include "core/digest.hpp"

namespace feedwatch::deliver {
namespace {

constexpr std::string_view k_secret_prefix = "whsec_";
constexpr std::string_view k_version_prefix = "v1,";

}  // namespace

std::optional<std::string> decode_secret(std::string_view secret)
{
    if (!secret.starts_with(k_secret_prefix)) {
        if (secret.empty()) {
            return std::nullopt;
        }
        return std::string(secret);
    }
    std::string key;
    if (!core::base64_decode(secret.substr(k_secret_prefix.size()), key) || key.empty()) {
        return std::nullopt;
    }
    return key;
}

std::string sign(std::string_view secret_key_bytes, std::string_view msg_id, std::int64_t timestamp,
                 std::string_view body)
{
    std::string content;
    content.reserve(msg_id.size() + body.size() + 24);
    content.append(msg_id).append(".").append(std::to_string(timestamp)).append(".").append(body);
    return std::string(k_version_prefix) + core::base64_encode(core::hmac_sha256(secret_key_bytes, content));
}

std::string signature_header(const std::vector<std::string>& secrets, std::string_view msg_id, std::int64_t timestamp,
                             std::string_view body)
{
    std::string header;
    for (const std::string& secret : secrets) {
        const auto key = decode_secret(secret);
        if (!key) {
            continue;
        }
        if (!header.empty()) {
            header.push_back(' ');
        }
        header += sign(*key, msg_id, timestamp, body);
    }
    return header;
}

bool verify(const std::vector<std::string>& secrets, std::string_view msg_id, std::int64_t timestamp,
            std::string_view body, std::string_view header)
{
    bool matched = false;
    for (const std::string& secret : secrets) {
        const auto key = decode_secret(secret);
        if (!key) {
            continue;
        }
        const std::string expected = sign(*key, msg_id, timestamp, body);
        std::size_t pos = 0;
        while (pos <= header.size()) {
            std::size_t end = header.find(' ', pos);
            if (end == std::string_view::npos) {
                end = header.size();
            }
            const std::string_view candidate = header.substr(pos, end - pos);
            if (candidate.size() == expected.size() &&
                CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) {
                matched = true;
            }
            pos = end + 1;
        }
    }
    return matched;
}

}  // namespace feedwatch::deliver
