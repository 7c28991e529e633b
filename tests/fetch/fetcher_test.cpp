#include "fetch/fetcher.hpp"

#include <gtest/gtest.h>

#include "support/run_until_complete.hpp"
#include "support/scripted_origin.hpp"

namespace feedwatch::fetch {
namespace {

using namespace std::chrono_literals;
using test::run_until_complete;
using test::ScriptedResponse;

const core::Instant k_now = *core::parse_rfc3339("2026-11-28T08:00:00Z");

http::Response with_headers(std::vector<http::Header> headers)
{
    http::Response response;
    response.status = 200;
    response.headers = std::move(headers);
    return response;
}

TEST(Freshness, CacheControlMaxAgeWins)
{
    EXPECT_EQ(freshness_of(with_headers({{"cache-control", "public, max-age=600"},
                                         {"expires", "Sat, 28 Nov 2026 09:00:00 GMT"}}),
                           k_now),
              600s);
}

TEST(Freshness, ExpiresCountsFromTheDateHeader)
{
    EXPECT_EQ(freshness_of(with_headers({{"expires", "Sat, 28 Nov 2026 09:00:00 GMT"},
                                         {"date", "Sat, 28 Nov 2026 08:30:00 GMT"}}),
                           k_now),
              1800s);
    EXPECT_EQ(freshness_of(with_headers({{"expires", "Sat, 28 Nov 2026 09:00:00 GMT"}}), k_now), 3600s);
}

TEST(Freshness, NoCacheOrNothingMeansNoFloor)
{
    EXPECT_EQ(freshness_of(with_headers({{"cache-control", "no-cache, max-age=600"}}), k_now), std::nullopt);
    EXPECT_EQ(freshness_of(with_headers({}), k_now), std::nullopt);
    EXPECT_EQ(freshness_of(with_headers({{"expires", "0"}}), k_now), 0s);
}

TEST(RetryAfter, AcceptsSecondsAndHttpDates)
{
    EXPECT_EQ(retry_after_of("120", k_now), 120s);
    EXPECT_EQ(retry_after_of("Sat, 28 Nov 2026 08:10:00 GMT", k_now), 600s);
    EXPECT_EQ(retry_after_of("Sat, 28 Nov 2026 07:10:00 GMT", k_now), 0s);
    EXPECT_EQ(retry_after_of("later", k_now), std::nullopt);
    EXPECT_EQ(retry_after_of("", k_now), std::nullopt);
}

class FetcherTest : public ::testing::Test {
protected:
    FeedResponse fetch(const std::string& path, std::string etag = {}, std::string last_modified = {})
    {
        FeedRequest request;
        request.url = m_origin.url(path);
        request.etag = std::move(etag);
        request.last_modified = std::move(last_modified);
        request.private_networks = http::PrivateNetworks::allow;
        return run_until_complete(m_io, fetch_feed(m_client, std::move(request)), 20s);
    }
    void TearDown() override { m_client.stop(); }

    asio::io_context m_io;
    test::ScriptedOrigin m_origin{m_io};
    http::Client m_client{m_io};
};

TEST_F(FetcherTest, SendsConditionalHeadersAndClassifies304)
{
    m_origin.script("/feed", ScriptedResponse{304, {}, "", 0ms});
    const auto response = fetch("/feed", "\"abc\"", "Sat, 28 Nov 2026 07:00:00 GMT");
    EXPECT_EQ(response.outcome, Outcome::not_modified);
    const auto requests = m_origin.requests("/feed");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].header("if-none-match"), "\"abc\"");
    EXPECT_EQ(requests[0].header("if-modified-since"), "Sat, 28 Nov 2026 07:00:00 GMT");
    EXPECT_NE(requests[0].header("accept").find("application/rss+xml"), std::string::npos);
}

TEST_F(FetcherTest, OkCarriesValidatorsAndFreshness)
{
    m_origin.script("/feed", ScriptedResponse{200, {{"ETag", "\"v2\""}, {"Cache-Control", "max-age=300"}}, "<rss/>", 0ms});
    const auto response = fetch("/feed");
    EXPECT_EQ(response.outcome, Outcome::ok);
    EXPECT_EQ(response.etag, "\"v2\"");
    EXPECT_EQ(response.fresh_for, 300s);
    EXPECT_EQ(response.body, "<rss/>");
}

TEST_F(FetcherTest, RetryAfterIsReadOn429And503Only)
{
    m_origin.script("/busy", ScriptedResponse{429, {{"Retry-After", "90"}}, "", 0ms});
    m_origin.script("/down", ScriptedResponse{503, {{"Retry-After", "30"}}, "", 0ms});
    m_origin.script("/broken", ScriptedResponse{500, {{"Retry-After", "30"}}, "", 0ms});
    EXPECT_EQ(fetch("/busy").retry_after, 90s);
    EXPECT_EQ(fetch("/down").retry_after, 30s);
    const auto broken = fetch("/broken");
    EXPECT_EQ(broken.outcome, Outcome::http_error);
    EXPECT_EQ(broken.status, 500);
    EXPECT_EQ(broken.retry_after, std::nullopt);
}

TEST_F(FetcherTest, OnlyPermanentRedirectsMoveTheFeed)
{
    m_origin.script("/permanent", ScriptedResponse{301, {{"Location", m_origin.url("/308")}}, "", 0ms});
    m_origin.script("/308", ScriptedResponse{308, {{"Location", m_origin.url("/new")}}, "", 0ms});
    m_origin.script("/temporary", ScriptedResponse{302, {{"Location", m_origin.url("/new")}}, "", 0ms});
    m_origin.script("/mixed", ScriptedResponse{301, {{"Location", m_origin.url("/temporary")}}, "", 0ms});
    m_origin.script("/new", ScriptedResponse{200, {}, "<rss/>", 0ms});
    EXPECT_EQ(fetch("/permanent").moved_to, m_origin.url("/new"));
    EXPECT_EQ(fetch("/temporary").moved_to, "");
    EXPECT_EQ(fetch("/mixed").moved_to, "");
    EXPECT_EQ(fetch("/new").moved_to, "");
}

TEST_F(FetcherTest, GoneIsAnHttpErrorWithItsStatus)
{
    m_origin.script("/gone", ScriptedResponse{410, {}, "", 0ms});
    const auto response = fetch("/gone");
    EXPECT_EQ(response.outcome, Outcome::http_error);
    EXPECT_EQ(response.status, 410);
}

}  // namespace
}  // namespace feedwatch::fetch
