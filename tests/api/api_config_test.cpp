// [daemon] api_token_file and the refusal to listen beyond loopback without it.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config.hpp"

namespace feedwatch::config {
namespace {

class ConfigDir {
public:
    ConfigDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "feedwatch-api-config-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        m_path = pattern;
    }
    ~ConfigDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    ConfigDir(const ConfigDir&) = delete;
    ConfigDir& operator=(const ConfigDir&) = delete;

    std::filesystem::path write(const std::string& name, const std::string& text) const
    {
        std::ofstream(m_path / name) << text;
        return m_path / name;
    }

private:
    std::filesystem::path m_path;
};

std::string errors_of(const ConfigResult& result)
{
    std::string text;
    for (const auto& error : result.error()) {
        text += error.to_string() + "\n";
    }
    return text;
}

TEST(ApiConfig, ListeningBeyondLoopbackWithoutATokenIsRefusedWithTheReason)
{
    ConfigDir dir;
    const auto path = dir.write("feedwatch.toml", "[daemon]\nlisten = \"0.0.0.0:9464\"\n");
    const auto loaded = load_config(path);
    ASSERT_FALSE(loaded);
    const std::string errors = errors_of(loaded);
    EXPECT_NE(errors.find(path.string() + ":2:10: daemon.listen:"), std::string::npos) << errors;
    EXPECT_NE(errors.find("api_token_file"), std::string::npos) << errors;
}

TEST(ApiConfig, LoopbackListenersNeedNoToken)
{
    ConfigDir dir;
    for (const char* listen : {"127.0.0.1:9464", "127.0.0.2:0", "[::1]:9464"}) {
        const auto path = dir.write("feedwatch.toml", std::string("[daemon]\nlisten = \"") + listen + "\"\n");
        const auto loaded = load_config(path);
        ASSERT_TRUE(loaded) << listen << ": " << errors_of(loaded);
        EXPECT_TRUE(loaded->daemon.api_token.empty());
    }
}

TEST(ApiConfig, TokenFileIsReadRelativeToTheConfigAndTrimmed)
{
    ConfigDir dir;
    dir.write("api.token", "  s3cret-token-value\n");
    const auto path =
        dir.write("feedwatch.toml", "[daemon]\nlisten = \"0.0.0.0:9464\"\napi_token_file = \"api.token\"\n");
    const auto loaded = load_config(path);
    ASSERT_TRUE(loaded) << errors_of(loaded);
    EXPECT_EQ(loaded->daemon.api_token, "s3cret-token-value");
}

TEST(ApiConfig, MissingOrEmptyTokenFileIsAnError)
{
    ConfigDir dir;
    dir.write("empty.token", "\n");
    for (const char* file : {"missing.token", "empty.token"}) {
        const auto path = dir.write("feedwatch.toml", std::string("[daemon]\napi_token_file = \"") + file + "\"\n");
        const auto loaded = load_config(path);
        ASSERT_FALSE(loaded) << file;
        const std::string errors = errors_of(loaded);
        EXPECT_NE(errors.find("daemon.api_token_file"), std::string::npos) << errors;
        EXPECT_EQ(errors.find("s3cret"), std::string::npos);
    }
}

}  // namespace
}  // namespace feedwatch::config
