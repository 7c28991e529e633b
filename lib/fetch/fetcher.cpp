#include "fetch/fetcher.hpp"

#include <algorithm>
#include <utility>

namespace feedwatch::fetch {

std::string_view to_string(Outcome outcome) noexcept
{
    switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::not_modified: return "not_modified";
    case Outcome::http_error: return "http_error";
    case Outcome::network_error: return "network_error";
    case Outcome::too_large: return "too_large";
    case Outcome::blocked: return "blocked";
    }
    return "network_error";
}

namespace {

Outcome outcome_of(core::ErrorCode code)
{
    switch (code) {
    case core::ErrorCode::too_large: return Outcome::too_large;
    case core::ErrorCode::blocked:
    case core::ErrorCode::invalid_argument: return Outcome::blocked;
    default: return Outcome::network_error;
    }
}

std::string lower(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::optional<std::int64_t> delta_seconds(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '"')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '"')) {
        text.remove_suffix(1);
    }
    if (text.empty() || text.size() > 12) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

}  // namespace

std::optional<std::chrono::seconds> freshness_of(const http::Response& response, core::Instant now)
{
    const std::string cache_control = lower(response.header("cache-control"));
    if (!cache_control.empty()) {
        std::string_view rest = cache_control;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string_view directive = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            while (!directive.empty() && directive.front() == ' ') {
                directive.remove_prefix(1);
            }
            if (directive.rfind("no-store", 0) == 0 || directive.rfind("no-cache", 0) == 0) {
                return std::nullopt;
            }
            if (directive.rfind("max-age=", 0) == 0) {
                if (const auto seconds = delta_seconds(directive.substr(8))) {
                    return std::chrono::seconds{*seconds};
                }
            }
        }
    }
    const std::string expires = response.header("expires");
    if (expires.empty()) {
        return std::nullopt;
    }
    const auto expires_at = http::parse_http_date(expires);
    if (!expires_at) {
        return std::chrono::seconds{0};  // an invalid Expires means already expired (RFC 9111 §5.3)
    }
    const auto date = http::parse_http_date(response.header("date"));
    const core::Instant reference = date.value_or(now);
    return *expires_at > reference ? std::chrono::seconds{*expires_at - reference} : std::chrono::seconds{0};
}

std::optional<std::chrono::seconds> retry_after_of(std::string_view value, core::Instant now)
{
    if (value.empty()) {
        return std::nullopt;
    }
    if (const auto seconds = delta_seconds(value)) {
        return std::chrono::seconds{*seconds};
    }
    if (const auto at = http::parse_http_date(value)) {
        return *at > now ? std::chrono::seconds{*at - now} : std::chrono::seconds{0};
    }
    return std::nullopt;
}

asio::awaitable<FeedResponse> fetch_feed(http::Client& client, FeedRequest request)
{
    http::Request http_request;
    http_request.url = request.url;
    http_request.timeout = request.timeout;
    http_request.max_body = request.max_body;
    http_request.private_networks = request.private_networks;
    http_request.headers.push_back({"Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"});
    if (!request.etag.empty()) {
        http_request.headers.push_back({"If-None-Match", request.etag});
    }
    if (!request.last_modified.empty()) {
        http_request.headers.push_back({"If-Modified-Since", request.last_modified});
    }

    FeedResponse response;
    auto result = co_await client.perform(std::move(http_request));
    if (!result) {
        response.outcome = outcome_of(result.error().code);
        response.detail = result.error().detail;  // names the URL already
        co_return response;
    }
    response.status = result->status;
    response.effective_url = result->effective_url;
    response.elapsed = result->elapsed;
    const core::Instant now = core::now();
    response.fresh_for = freshness_of(*result, now);
    if (!result->redirect_statuses.empty() &&
        std::all_of(result->redirect_statuses.begin(), result->redirect_statuses.end(),
                    [](long status) { return status == 301 || status == 308; }) &&
        result->effective_url != request.url) {
        response.moved_to = result->effective_url;
    }
    if (result->status == 429 || result->status == 503) {
        response.retry_after = retry_after_of(result->header("retry-after"), now);
    }
    if (result->status == 304) {
        response.outcome = Outcome::not_modified;
        co_return response;
    }
    if (result->status < 200 || result->status > 299) {
        response.outcome = Outcome::http_error;
        response.detail = request.url + ": HTTP " + std::to_string(result->status);
        co_return response;
    }
    response.outcome = Outcome::ok;
    response.content_type = result->header("content-type");
    response.etag = result->header("etag");
    response.last_modified = result->header("last-modified");
    response.body = std::move(result->body);
    co_return response;
}

}  // namespace feedwatch::fetch
