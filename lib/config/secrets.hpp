#pragma once
// Internal to config: reading files named by the config, webhook secrets among them.
#include <filesystem>
#include <string>

#include <tl/expected.hpp>

namespace feedwatch::config::detail {

// The whole file, or a message such as "No such file or directory".
tl::expected<std::string, std::string> read_file(const std::filesystem::path& path);

// A webhook signing key read from secret_file, or from $CREDENTIALS_DIRECTORY/<its filename>
// when that exists (systemd LoadCredential=). The content is trimmed; "whsec_<base64>" is
// decoded, anything else is the key as written. The error message never contains secret
// bytes.
tl::expected<std::string, std::string> read_secret(const std::filesystem::path& secret_file);

}  // namespace feedwatch::config::detail
