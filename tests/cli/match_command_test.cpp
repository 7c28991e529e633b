// feedwatch match, run as a process: exit status, stdout and stderr as a user sees them.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace feedwatch::cli {
namespace {

constexpr std::string_view k_feed = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>Huawei indicted in New York</title><link>https://wire.example/1</link>
<guid>1</guid><description>Prosecutors unsealed the indictments on Monday.</description></item>
<item><title>Power plant opens</title><link>https://wire.example/2</link>
<guid>2</guid><description>The new plant supplies 10,000 homes.</description></item>
</channel></rss>
)";

struct Outcome {
    int status;
    std::string out;
    std::string err;
};

class MatchCommand : public ::testing::Test {
protected:
    // Runs `feedwatch match ARGS...` with stdin from input and stdout and stderr captured to
    // files (not a terminal, so highlights are «…»).
    Outcome run(const std::vector<std::string>& args, const std::string& input = "/dev/null") const
    {
        const auto out = m_dir.path() / "stdout";
        const auto err = m_dir.path() / "stderr";
        std::string command = std::string(FEEDWATCH_CLI_BINARY) + " match";
        for (const auto& arg : args) {
            command += " '" + arg + "'";
        }
        command += " > '" + out.string() + "' 2> '" + err.string() + "' < '" + input + "'";
        const int status = std::system(command.c_str());
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(out), read(err)};
    }

    static std::string read(const std::filesystem::path& path)
    {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

    std::string feed() const { return m_dir.write("wire.xml", k_feed).string(); }

    testing_support::TempDir m_dir;
};

TEST_F(MatchCommand, PrintsMatchingItemsWithTheWordsHighlightedAndExitsZero)
{
    const auto watchlists = m_dir.write("watchlists.toml", R"([[watchlist]]
name = "china-cyber"
query = 'indictment OR Huawei'

[[watchlist]]
name = "army"
query = '=PLA'
)");
    const Outcome result = run({"--watchlists", watchlists.string(), feed()});
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out,
              "Huawei indicted in New York\n"
              "  https://wire.example/1\n"
              "  watchlist china-cyber\n"
              "    title: \xC2\xABHuawei\xC2\xBB \xC2\xABindicted\xC2\xBB in New York\n"  // term indictment
              "    title: \xC2\xABHuawei\xC2\xBB \xC2\xABindicted\xC2\xBB in New York\n"  // term Huawei
              "    summary: Prosecutors unsealed the \xC2\xABindictments\xC2\xBB on Monday.\n")
        << result.out;
    EXPECT_EQ(result.err, "1 of 2 items matched 2 watchlists\n");
}

TEST_F(MatchCommand, ExitsOneWhenNothingMatches)
{
    const Outcome result = run({"--query", "=PLA OR ransomware", feed()});
    EXPECT_EQ(result.status, 1) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err, "0 of 2 items matched 1 watchlist\n");
}

TEST_F(MatchCommand, ReadsTheFeedFromStandardInput)
{
    const Outcome result = run({"--query", "plant", "-"}, feed());
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("Power plant opens"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("Huawei"), std::string::npos) << result.out;
}

TEST_F(MatchCommand, ExitsSeventyEightOnAnInvalidWatchlistFileAndSaysWhere)
{
    const auto watchlists = m_dir.write("watchlists.toml", "[[watchlist]]\nname = \"broken\"\nquery = 'huawei OR (zte'\n");
    const Outcome result = run({"--watchlists", watchlists.string(), feed()});
    EXPECT_EQ(result.status, 78);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find(watchlists.string() + ":3:"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("broken"), std::string::npos) << result.err;
}

TEST_F(MatchCommand, ExitsSeventyEightOnAnInvalidQueryAndPointsAtIt)
{
    const Outcome result = run({"--query", "huawei OR", feed()});
    EXPECT_EQ(result.status, 78);
    EXPECT_NE(result.err.find("--query: column"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("^"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace feedwatch::cli
