#include "config/secrets.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>

#include "core/digest.hpp"

namespace feedwatch::config::detail {
namespace {

constexpr std::string_view k_whsec_prefix = "whsec_";

std::string_view trim(std::string_view text)
{
    constexpr std::string_view k_space = " \t\r\n\f\v";
    const auto first = text.find_first_not_of(k_space);
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(k_space) - first + 1);
}

std::string in_quotes(const std::filesystem::path& path)
{
    return "\"" + path.string() + "\"";
}

}  // namespace

tl::expected<std::string, std::string> read_file(const std::filesystem::path& path)
{
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        return tl::unexpected<std::string>("is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return tl::unexpected<std::string>(std::strerror(errno));
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return tl::unexpected<std::string>(std::strerror(errno));
    }
    return content;
}

tl::expected<std::string, std::string> read_secret(const std::filesystem::path& secret_file)
{
    std::filesystem::path source = secret_file;
    if (const char* credentials = std::getenv("CREDENTIALS_DIRECTORY"); credentials != nullptr && *credentials != '\0') {
        const std::filesystem::path credential = std::filesystem::path(credentials) / secret_file.filename();
        std::error_code error;
        if (std::filesystem::is_regular_file(credential, error)) {
            source = credential;
        }
    }
    auto content = read_file(source);
    if (!content) {
        return tl::unexpected<std::string>("cannot read " + in_quotes(source) + ": " + content.error());
    }
    const std::string_view key = trim(*content);
    if (key.empty()) {
        return tl::unexpected<std::string>(in_quotes(source) + " is empty");
    }
    if (key.substr(0, k_whsec_prefix.size()) == k_whsec_prefix) {
        std::string decoded;
        if (!core::base64_decode(key.substr(k_whsec_prefix.size()), decoded) || decoded.empty()) {
            return tl::unexpected<std::string>(in_quotes(source) + " starts with whsec_ but the rest is not base64");
        }
        return decoded;
    }
    return std::string(key);
}

}  // namespace feedwatch::config::detail
