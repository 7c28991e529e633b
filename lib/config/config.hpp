#pragma once
// The daemon's configuration: one TOML file plus watchlist files, loaded into plain structs.
// Unknown keys, bad values and invalid watchlist queries are errors reported as
// FILE:LINE:COL: message, all of them at once.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "match/matcher.hpp"

namespace feedwatch::config {

using Seconds = std::chrono::seconds;

// The file a setting was read from. Shared by every location in that file: a feed list of
// 100,000 entries held 100,000 copies of its path (about 100 bytes each, per copy of the
// config).
class SourceFile {
public:
    SourceFile() = default;
    SourceFile(std::filesystem::path path) : m_path(std::make_shared<const std::filesystem::path>(std::move(path))) {}
    SourceFile(const char* path) : SourceFile(std::filesystem::path(path)) {}

    const std::filesystem::path& path() const { return m_path ? *m_path : empty_path(); }
    std::string string() const { return path().string(); }
    operator const std::filesystem::path&() const { return path(); }  // NOLINT: reads as the path it is
    friend bool operator==(const SourceFile& a, const SourceFile& b) { return a.path() == b.path(); }
    friend bool operator==(const SourceFile& a, const std::filesystem::path& b) { return a.path() == b; }

private:
    static const std::filesystem::path& empty_path()
    {
        static const std::filesystem::path empty;
        return empty;
    }
    std::shared_ptr<const std::filesystem::path> m_path;
};

inline std::ostream& operator<<(std::ostream& out, const SourceFile& file) { return out << file.path(); }

struct Location {
    SourceFile file;
    int line = 0;
    int column = 0;
};

struct DaemonConfig {
    std::filesystem::path state_dir = "/var/lib/feedwatch";
    std::string listen = "127.0.0.1:9464";  // host:port; port 0 picks a free one
    // Bearer token for /api/ (trimmed file content); required when listen is not loopback.
    std::optional<std::filesystem::path> api_token_file;  // resolved against the config file
    std::string api_token;                                // never logged
};

struct FetchConfig {
    Seconds interval{15 * 60};
    Seconds min_interval{60};         // no feed is polled more often, whatever it asks
    Seconds max_interval{24 * 3600};  // nor less often, backoff included
    Seconds timeout{30};
    std::size_t concurrency = 64;          // fetches in flight, all hosts
    std::size_t connections_per_host = 2;  // fetches in flight to one host name
    std::uint64_t max_body = 16u << 20;
    bool allow_private_networks = false;
    std::string user_agent;  // default filled in by the fetcher
};

// Story grouping (lib/story). The threshold's default lives with the grouper
// (story::k_default_threshold), which config does not depend on.
struct StoryConfig {
    bool enabled = true;
    Seconds window{72 * 3600};        // a story closes this long after its last article
    std::optional<double> threshold;  // cosine to join a story, in (0, 1]; unset: the grouper's default
};

struct FeedConfig {
    std::string url;
    std::optional<Seconds> interval;
    std::vector<std::string> tags;
    std::optional<bool> allow_private_networks;  // overrides [fetch] for this feed
    Location where;
};

struct WebhookConfig {
    std::string name;
    std::string url;
    std::optional<std::filesystem::path> secret_file;  // resolved against the config file
    // Rotation: the secret being retired; while set, every delivery carries two v1 signatures.
    std::optional<std::filesystem::path> previous_secret_file;
    std::vector<std::string> secrets;  // decoded HMAC keys (whsec_ base64 decoded), current first; never logged
    Seconds timeout{15};
    std::string format = "json";            // json, slack, discord, teams
    int max_per_minute = 0;                 // 0: unlimited; past it, alerts are combined into digests
    int concurrency = 4;                    // requests in flight to this webhook
    Seconds give_up_after{72 * 3600};       // then an alert moves to the dead letters
    double test_retry_scale = 1.0;          // test only: multiplies the retry schedule
    // watchlist.update alerts (later reports of a story already alerted): "each" sends every
    // one, "digest" one message per story per digest_interval listing the new reports, "none"
    // none (matches are always sent). Default "each" for format json, "digest" for chat formats.
    std::string story_updates = "each";
    Seconds digest_interval{5 * 60};
    Location where;
};

struct WatchlistConfig {
    std::string name;
    std::string query;
    std::vector<std::string> notify;  // webhook names
    std::string language = "english";  // libstemmer algorithm for word forms
    std::vector<std::string> feeds;    // scope: "tag:NAME" or a feed URL prefix; empty = every feed
    bool enabled = true;
    Location where;        // the [[watchlist]] table
    Location query_where;  // the first character inside the query string's quotes
};

struct Config {
    std::filesystem::path source;
    std::vector<std::filesystem::path> watchlist_files;  // after glob expansion
    std::vector<std::filesystem::path> feed_files;  // after glob expansion: TOML [[feed]] lists and OPML
    DaemonConfig daemon;
    FetchConfig fetch;
    StoryConfig story;
    std::vector<FeedConfig> feeds;
    std::vector<WebhookConfig> webhooks;
    std::vector<WatchlistConfig> watchlists;
};

struct ConfigError {
    Location where;
    std::string message;
    // "FILE:LINE:COL: message" (LINE:COL omitted when unknown)
    std::string to_string() const;
};

using ConfigResult = tl::expected<Config, std::vector<ConfigError>>;

// Reads path and the watchlist files it names (relative to its directory, globs allowed),
// reads webhook secret files (a systemd credential when $CREDENTIALS_DIRECTORY has a file of
// that name), checks every cross reference (notify names, duplicate names, queries).
ConfigResult load_config(const std::filesystem::path& path);

// A file of [[watchlist]] tables on its own, into Config::watchlists, with the same checks as
// load_config except the references to the rest of a configuration (notify names, feed tags).
ConfigResult load_watchlist_file(const std::filesystem::path& path);

// The enabled watchlists of a loaded config with their queries parsed, ready for
// match::Matcher. Watchlists whose query does not parse are left out (load_config has
// already rejected them).
std::vector<match::WatchlistSpec> watchlist_specs(const Config& config);

// "90s", "15m", "1h", "2d", "1h30m" -> seconds; nullopt when malformed or zero.
std::optional<Seconds> parse_duration(std::string_view text);
// "16MiB", "512KiB", "1GiB", "1000", "10MB" -> bytes; nullopt when malformed.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace feedwatch::config
