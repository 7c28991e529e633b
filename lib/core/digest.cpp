#include "core/digest.hpp"

#include <array>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace feedwatch::core {
namespace {

const unsigned char* bytes_of(std::string_view s)
{
    return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string sha256_hex(std::string_view data)
{
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(bytes_of(data), data.size(), digest.data());
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (unsigned char byte : digest) {
        out.push_back(k_hex[byte >> 4]);
        out.push_back(k_hex[byte & 0x0f]);
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(message), message.size(),
         digest.data(), &length);
    return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

std::string base64_encode(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(bytes),
                                        static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

bool base64_decode(std::string_view text, std::string& out)
{
    if (text.size() % 4 != 0) {
        return false;
    }
    out.assign(3 * text.size() / 4, '\0');
    const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(text),
                                        static_cast<int>(text.size()));
    if (written < 0) {
        return false;
    }
    // EVP_DecodeBlock counts padding as zero bytes; drop them.
    std::size_t length = static_cast<std::size_t>(written);
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) {
        --length;
    }
    out.resize(length);
    return true;
}

}  // namespace feedwatch::core
