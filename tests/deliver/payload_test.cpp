#include "deliver/payload.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace feedwatch::deliver {
namespace {

using nlohmann::json;

core::Instant at(std::int64_t unix_seconds)
{
    return core::Instant{std::chrono::seconds{unix_seconds}};
}

model::Article sample_article()
{
    model::Article article;
    article.id = "0123456789abcdef0123456789abcdef";
    article.feed = {"https://example.com/feed.xml", "Example News"};
    article.item.id = "guid-1";
    article.item.title = "Huawei wins contract";
    article.item.link = "https://example.com/huawei";
    article.item.published = core::parse_rfc3339("2026-11-24T09:30:00Z");
    article.item.author = "Jane Doe";
    article.item.summary = "<p>Summary with <b>HTML</b></p>";
    article.item.text = "Plain text about Huawei.";
    return article;
}

TEST(Payload, HasTheDocumentedShape)
{
    const std::vector<model::Match> matches = {{"huawei", "content", "…about Huawei."},
                                               {"contract", "title", "wins contract"}};
    const std::string body =
        render_json_payload("china-cyber", sample_article(), matches, *core::parse_rfc3339("2026-11-24T10:00:00Z"));
    const json payload = json::parse(body);
    EXPECT_EQ(payload.size(), 3u);
    EXPECT_EQ(payload.at("type"), "watchlist.match");
    EXPECT_EQ(payload.at("timestamp"), "2026-11-24T10:00:00Z");
    const json& data = payload.at("data");
    EXPECT_EQ(data.size(), 3u);
    EXPECT_EQ(data.at("watchlist"), "china-cyber");
    const json& article = data.at("article");
    EXPECT_EQ(article.size(), 7u);
    EXPECT_EQ(article.at("id"), "0123456789abcdef0123456789abcdef");
    EXPECT_EQ(article.at("title"), "Huawei wins contract");
    EXPECT_EQ(article.at("link"), "https://example.com/huawei");
    EXPECT_EQ(article.at("published"), "2026-11-24T09:30:00Z");
    EXPECT_EQ(article.at("author"), "Jane Doe");
    EXPECT_EQ(article.at("summary"), "Plain text about Huawei.");
    EXPECT_EQ(article.at("feed"), (json{{"url", "https://example.com/feed.xml"}, {"title", "Example News"}}));
    const json& match_list = data.at("matches");
    ASSERT_EQ(match_list.size(), 2u);
    EXPECT_EQ(match_list[0], (json{{"term", "huawei"}, {"field", "content"}, {"snippet", "…about Huawei."}}));
    EXPECT_EQ(match_list[1].at("field"), "title");
}

TEST(Payload, AStoryAlertIsTypedAndCarriesItsStoryBesideTheSameArticleAndMatches)
{
    const std::vector<model::Match> matches = {{"huawei", "content", "…about Huawei."}};
    const core::Instant now = *core::parse_rfc3339("2026-11-24T10:00:00Z");
    const StoryAlert story{AlertType::update,
                           "fedcba9876543210fedcba9876543210",
                           *core::parse_rfc3339("2026-11-24T08:15:00Z"),
                           3,
                           {"Example News", "Wire"}};
    const json payload = json::parse(render_json_payload("china-cyber", sample_article(), matches, now, story));
    EXPECT_EQ(payload.at("type"), "watchlist.update");
    const json& data = payload.at("data");
    EXPECT_EQ(data.at("story"), (json{{"id", "fedcba9876543210fedcba9876543210"},
                                      {"first_seen", "2026-11-24T08:15:00Z"},
                                      {"articles", 3},
                                      {"outlets", {"Example News", "Wire"}}}));
    json without_story = data;
    without_story.erase("story");
    EXPECT_EQ(without_story, json::parse(render_json_payload("china-cyber", sample_article(), matches, now))["data"]);

    const StoryAlert first{AlertType::match, story.id, story.first_seen, 1, {"Example News"}};
    EXPECT_EQ(json::parse(render_json_payload("china-cyber", sample_article(), matches, now, first)).at("type"),
              "watchlist.match");
}

TEST(Payload, KeepsKeysWhenFieldsAreEmpty)
{
    model::Article article;
    const json payload = json::parse(render_json_payload("", article, {}, at(0)));
    EXPECT_EQ(payload.at("timestamp"), "1970-01-01T00:00:00Z");
    const json& data = payload.at("data");
    EXPECT_EQ(data.at("watchlist"), "");
    EXPECT_TRUE(data.at("matches").is_array());
    EXPECT_TRUE(data.at("matches").empty());
    for (const char* key : {"id", "title", "link", "published", "author", "summary"}) {
        EXPECT_EQ(data.at("article").at(key), "") << key;
    }
    EXPECT_EQ(data.at("article").at("feed").at("url"), "");
    EXPECT_EQ(data.at("article").at("feed").at("title"), "");
}

TEST(Payload, FallsBackToSummaryWhenTextIsEmpty)
{
    model::Article article = sample_article();
    article.item.text.clear();
    const json payload = json::parse(render_json_payload("w", article, {}, at(0)));
    EXPECT_EQ(payload["data"]["article"]["summary"], "<p>Summary with <b>HTML</b></p>");
}

TEST(Payload, CutsSummaryToOneKibOnUtf8Boundary)
{
    model::Article article = sample_article();
    // 1023 ASCII bytes then "é" (2 bytes): 1025 bytes, the cut must not split the "é".
    article.item.text = std::string(1023, 'a') + "\xC3\xA9" + "tail";
    const json payload = json::parse(render_json_payload("w", article, {}, at(0)));
    const std::string summary = payload["data"]["article"]["summary"];
    EXPECT_EQ(summary, std::string(1023, 'a'));

    // 4-byte sequences straddling the limit.
    std::string emoji;
    for (int i = 0; i < 300; ++i) {
        emoji += "\xF0\x9F\x98\x80";
    }
    article.item.text = "ab" + emoji;
    const std::string cut = json::parse(render_json_payload("w", article, {}, at(0)))["data"]["article"]["summary"];
    EXPECT_LE(cut.size(), k_max_summary_bytes);
    EXPECT_EQ(cut.size(), 2u + 255u * 4u);
    EXPECT_EQ(cut, article.item.text.substr(0, cut.size()));

    article.item.text = std::string(1024, 'b');
    EXPECT_EQ(json::parse(render_json_payload("w", article, {}, at(0)))["data"]["article"]["summary"],
              std::string(1024, 'b'));
}

TEST(Payload, RepairsInvalidUtf8InsteadOfThrowing)
{
    model::Article article = sample_article();
    article.item.title = "bad \xFF byte";
    std::string body;
    ASSERT_NO_THROW(body = render_json_payload("w", article, {{"t", "title", "\xC3"}}, at(0)));
    const json payload = json::parse(body);
    EXPECT_EQ(payload["data"]["article"]["title"], "bad \xEF\xBF\xBD byte");
}

TEST(Payload, CutUtf8NeverSplitsASequence)
{
    EXPECT_EQ(cut_utf8("abc", 10), "abc");
    EXPECT_EQ(cut_utf8("ab\xE2\x82\xAC", 4), "ab");
    EXPECT_EQ(cut_utf8("ab\xE2\x82\xAC", 5), "ab\xE2\x82\xAC");
    EXPECT_EQ(cut_utf8("\xE2\x82\xAC", 0), "");
}

}  // namespace
}  // namespace feedwatch::deliver
