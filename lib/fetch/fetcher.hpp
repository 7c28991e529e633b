#pragma once
// One conditional GET of a feed, classified into the outcomes that drive metrics and
// backoff (the one place HTTP results are classified, like Miniflux's response handler).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/asio.hpp"
#include "http/client.hpp"

namespace feedwatch::fetch {

enum class Outcome { ok, not_modified, http_error, network_error, too_large, blocked };

// Metric label value of an outcome ("ok", "not_modified", ...).
std::string_view to_string(Outcome outcome) noexcept;

struct FeedRequest {
    std::string url;
    std::string etag;           // sent as If-None-Match when set
    std::string last_modified;  // sent as If-Modified-Since when set
    std::chrono::seconds timeout{30};
    std::uint64_t max_body = 16u << 20;
    http::PrivateNetworks private_networks = http::PrivateNetworks::refuse;
};

struct FeedResponse {
    Outcome outcome = Outcome::network_error;
    long status = 0;  // 0 when no HTTP exchange completed
    std::string body;  // for ok
    std::string content_type;
    std::string etag;           // validators of this response (ok only)
    std::string last_modified;
    std::string effective_url;
    std::string detail;  // human-readable reason for anything but ok/not_modified
    std::chrono::duration<double> elapsed{0};
    // Every redirect followed was permanent (301/308): the feed lives at effective_url now.
    std::string moved_to;
    // Retry-After of a 429 or 503 (delta-seconds or HTTP-date), as a delay from now.
    std::optional<std::chrono::seconds> retry_after;
    // How long the response stays fresh: Cache-Control max-age (s-maxage ignored), else
    // Expires minus Date (RFC 9111 §4.2.1). Absent, or no-cache/no-store: nullopt.
    std::optional<std::chrono::seconds> fresh_for;
};

// Cache-Control max-age=N or Expires against Date (or now), as a freshness lifetime.
std::optional<std::chrono::seconds> freshness_of(const http::Response& response, core::Instant now);
// Retry-After as delta-seconds or an HTTP-date, as a delay from now (never negative).
std::optional<std::chrono::seconds> retry_after_of(std::string_view value, core::Instant now);

// Never fails: every failure is an outcome with a detail naming the URL and the reason.
asio::awaitable<FeedResponse> fetch_feed(http::Client& client, FeedRequest request);

}  // namespace feedwatch::fetch
