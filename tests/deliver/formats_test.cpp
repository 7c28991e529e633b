#include "deliver/formats.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deliver/payload.hpp"

namespace feedwatch::deliver {
namespace {

using nlohmann::json;

std::string payload(const std::string& title = "Huawei <indicted> & fined")
{
    model::Article article;
    article.id = "article-1";
    article.feed = {"https://wire.test/feed", "Test Wire"};
    article.item.title = title;
    article.item.link = "https://wire.test/1";
    article.item.text = "The indictment names Huawei.";
    return render_json_payload("china-cyber", article, {{"huawei", "title", "\xE2\x80\xA6indictment names Huawei"}},
                               core::Instant{std::chrono::seconds{1795000000}});
}

TEST(Formats, JsonIsThePayloadUnchanged)
{
    EXPECT_EQ(render_for(Format::json, payload()), payload());
}

TEST(Formats, SlackHasTextAndMrkdwnSectionWithEscapedTitleLinkWatchlistSnippet)
{
    const json body = json::parse(render_for(Format::slack, payload()));
    EXPECT_NE(body["text"].get<std::string>().find("[china-cyber]"), std::string::npos);
    ASSERT_EQ(body["blocks"].size(), 1u);
    EXPECT_EQ(body["blocks"][0]["type"], "section");
    EXPECT_EQ(body["blocks"][0]["text"]["type"], "mrkdwn");
    const std::string text = body["blocks"][0]["text"]["text"];
    EXPECT_NE(text.find("<https://wire.test/1|Huawei &lt;indicted&gt; &amp; fined>"), std::string::npos) << text;
    EXPECT_NE(text.find("_china-cyber_"), std::string::npos);
    EXPECT_NE(text.find("indictment names Huawei"), std::string::npos);
}

TEST(Formats, DiscordHasContentAndOneEmbedWithTitleUrlDescription)
{
    const json body = json::parse(render_for(Format::discord, payload()));
    EXPECT_TRUE(body["content"].is_string());
    ASSERT_EQ(body["embeds"].size(), 1u);
    EXPECT_EQ(body["embeds"][0]["title"], "Huawei <indicted> & fined");
    EXPECT_EQ(body["embeds"][0]["url"], "https://wire.test/1");
    EXPECT_NE(body["embeds"][0]["footer"]["text"].get<std::string>().find("china-cyber"), std::string::npos);
    EXPECT_NE(body["embeds"][0]["description"].get<std::string>().find("Huawei"), std::string::npos);
}

TEST(Formats, TeamsIsAnAdaptiveCardMessageWithOpenUrlAction)
{
    const json body = json::parse(render_for(Format::teams, payload()));
    EXPECT_EQ(body["type"], "message");
    const json& attachment = body["attachments"][0];
    EXPECT_EQ(attachment["contentType"], "application/vnd.microsoft.card.adaptive");
    EXPECT_EQ(attachment["content"]["type"], "AdaptiveCard");
    EXPECT_EQ(attachment["content"]["body"][0]["text"], "Huawei <indicted> & fined");
    EXPECT_EQ(attachment["content"]["actions"][0]["url"], "https://wire.test/1");
}

TEST(Formats, LongTitlesAreCutOnUtf8Boundary)
{
    const std::string title(300, 'a');
    const json body = json::parse(render_for(Format::discord, payload(title + "\xC3\xA9")));
    EXPECT_LE(body["embeds"][0]["title"].get<std::string>().size(), 256u);
}

TEST(Formats, ParseFormatAcceptsOnlyKnownNames)
{
    EXPECT_EQ(parse_format("slack"), Format::slack);
    EXPECT_EQ(parse_format("teams"), Format::teams);
    EXPECT_FALSE(parse_format("Slack"));
    EXPECT_FALSE(parse_format("xml"));
}

TEST(Formats, DigestListsEveryAlertInEachFormat)
{
    const std::vector<DigestItem> items{{"msg_a", payload("First")}, {"msg_b", payload("Second")}};
    const json digest = json::parse(render_digest(Format::json, items, core::Instant{}));
    EXPECT_EQ(digest["data"]["count"], 2);
    EXPECT_EQ(digest["data"]["alerts"][1]["id"], "msg_b");
    EXPECT_EQ(digest["data"]["alerts"][1]["article"]["title"], "Second");
    for (Format format : {Format::slack, Format::discord, Format::teams}) {
        const std::string text = render_digest(format, items, core::Instant{});
        EXPECT_NE(text.find("First"), std::string::npos) << to_string(format);
        EXPECT_NE(text.find("Second"), std::string::npos) << to_string(format);
        EXPECT_FALSE(json::parse(text, nullptr, false).is_discarded());
    }
}

TEST(Formats, AStoryDigestForChatListsAtMostTheLatestReportsUnderAHeadlineCountingThemAll)
{
    std::vector<DigestItem> items;
    for (int i = 0; i < 40; ++i) {
        items.push_back(DigestItem{"msg_" + std::to_string(i), payload("Report " + std::to_string(i))});
    }
    const json slack = json::parse(render_story_digest(Format::slack, items, core::Instant{}));
    EXPECT_EQ(slack["blocks"].size(), k_max_digest_alerts + 1);  // the header, then the list
    EXPECT_NE(slack["text"].get<std::string>().find("+40 reports on a story"), std::string::npos);
    EXPECT_NE(slack.dump().find("|Report 39>"), std::string::npos);
    EXPECT_NE(slack.dump().find("|Report 15>"), std::string::npos);  // the latest 25: 15 to 39
    EXPECT_EQ(slack.dump().find("|Report 14>"), std::string::npos);
    const json machine = json::parse(render_story_digest(Format::json, items, core::Instant{}));
    EXPECT_EQ(machine["type"], "watchlist.story_digest");
    EXPECT_EQ(machine["data"]["count"], 40);
    EXPECT_EQ(machine["data"]["alerts"].size(), 40u);
}

}  // namespace
}  // namespace feedwatch::deliver
