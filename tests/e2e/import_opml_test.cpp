// feedwatch import-opml: its output is a feed file the configuration loads, with the same
// feeds and tags as reading the OPML directly through feed_files.
#include <sys/wait.h>

#include <fstream>

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "e2e/daemon_process.hpp"
#include "support/temp_dir.hpp"

namespace feedwatch {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;

TEST(ImportOpml, PrintsFeedTablesThatLoadLikeTheOpmlItself)
{
    const testing_support::TempDir dir;
    dir.write("subs.opml", R"(<?xml version="1.0"?><opml version="2.0"><body>
<outline text="Security &amp; &quot;Intel&quot;">
  <outline type="rss" text="Vendor blog" xmlUrl="https://vendor.example/feed?a=1&amp;b=2"/>
</outline>
<outline type="rss" text="Wire" xmlUrl="https://wire.example/rss"/>
<outline type="rss" text="Wire again" xmlUrl="https://wire.example/rss"/>
</body></opml>)");
    DaemonProcess import(FEEDWATCH_CLI_BINARY, {"import-opml", (dir.path() / "subs.opml").string()},
                         dir.path() / "feeds.toml");
    const auto status = import.wait(20s);
    ASSERT_TRUE(status);
    ASSERT_EQ(WEXITSTATUS(*status), 0) << import.log();

    const auto via_import = dir.write("a.toml", "feed_files = [\"feeds.toml\"]\n[daemon]\nstate_dir = \"/tmp/x\"\n");
    const auto via_opml = dir.write("b.toml", "feed_files = [\"subs-only.opml\"]\n[daemon]\nstate_dir = \"/tmp/x\"\n");
    std::filesystem::copy_file(dir.path() / "subs.opml", dir.path() / "subs-only.opml");
    const auto imported = config::load_config(via_import);
    ASSERT_TRUE(imported) << import.log() << "\n" << imported.error().front().to_string();
    ASSERT_EQ(imported->feeds.size(), 2u) << import.log();
    EXPECT_EQ(imported->feeds[0].url, "https://vendor.example/feed?a=1&b=2");
    EXPECT_EQ(imported->feeds[0].tags, std::vector<std::string>{"Security & \"Intel\""});
    EXPECT_EQ(imported->feeds[1].url, "https://wire.example/rss");

    const auto direct = config::load_config(via_opml);
    ASSERT_TRUE(direct) << direct.error().front().to_string();
    ASSERT_EQ(direct->feeds.size(), imported->feeds.size());
    for (std::size_t i = 0; i < direct->feeds.size(); ++i) {
        EXPECT_EQ(direct->feeds[i].url, imported->feeds[i].url);
        EXPECT_EQ(direct->feeds[i].tags, imported->feeds[i].tags);
    }
}

TEST(ImportOpml, AnOutlineThatIsNotHttpIsReportedWithItsLineAndExits65)
{
    const testing_support::TempDir dir;
    dir.write("subs.opml", "<opml version=\"2.0\"><body>\n<outline xmlUrl=\"https://ok.example/rss\"/>\n"
                           "<outline xmlUrl=\"mailto:someone@example.com\"/>\n</body></opml>");
    DaemonProcess import(FEEDWATCH_CLI_BINARY, {"import-opml", (dir.path() / "subs.opml").string()}, dir.path() / "out");
    const auto status = import.wait(20s);
    ASSERT_TRUE(status);
    EXPECT_EQ(WEXITSTATUS(*status), 65);
    EXPECT_NE(import.log().find("subs.opml:3: skipped mailto:someone@example.com"), std::string::npos) << import.log();
    EXPECT_NE(import.log().find("url = \"https://ok.example/rss\""), std::string::npos) << import.log();
}

TEST(ImportOpml, ANonOpmlFileExits65WithTheReason)
{
    const testing_support::TempDir dir;
    dir.write("feed.xml", "<rss version=\"2.0\"><channel/></rss>");
    DaemonProcess import(FEEDWATCH_CLI_BINARY, {"import-opml", (dir.path() / "feed.xml").string()}, dir.path() / "out");
    const auto status = import.wait(20s);
    ASSERT_TRUE(status);
    EXPECT_EQ(WEXITSTATUS(*status), 65);
    EXPECT_NE(import.log().find("not an OPML document"), std::string::npos) << import.log();
}

}  // namespace
}  // namespace feedwatch
