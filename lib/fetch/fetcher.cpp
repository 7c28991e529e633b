#include "fetch/fetcher.hpp"

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

}  // namespace

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
        response.detail = request.url + ": " + result.error().detail;
        co_return response;
    }
    response.status = result->status;
    response.effective_url = result->effective_url;
    response.elapsed = result->elapsed;
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
