#include "config/config.hpp"

#include <glob.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include <toml++/toml.h>

#include "config/secrets.hpp"
#include "config/toml_reader.hpp"
#include "match/matcher.hpp"
#include "parse/opml.hpp"

namespace feedwatch::config {
namespace {

using detail::TomlReader;

std::string in_quotes(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

std::string describe(const Location& where)
{
    std::string out = where.file.string();
    if (where.line > 0) {
        out += ":" + std::to_string(where.line);
        if (where.column > 0) {
            out += ":" + std::to_string(where.column);
        }
    }
    return out;
}

bool is_http_url(std::string_view url)
{
    const auto lower_prefix = [&](std::string_view prefix) {
        if (url.size() < prefix.size()) {
            return false;
        }
        for (std::size_t i = 0; i < prefix.size(); ++i) {
            const char c = url[i];
            const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            if (lower != prefix[i]) {
                return false;
            }
        }
        return true;
    };
    std::size_t host = 0;
    if (lower_prefix("http://")) {
        host = 7;
    } else if (lower_prefix("https://")) {
        host = 8;
    } else {
        return false;
    }
    if (url.find_first_of(" \t\r\n") != std::string_view::npos) {
        return false;
    }
    const std::size_t host_end = url.find_first_of("/?#", host);
    return (host_end == std::string_view::npos ? url.size() : host_end) > host;
}

// "host:port" or "[v6]:port" with a port from 0 to 65535.
bool is_listen_address(std::string_view listen)
{
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == listen.size() || colon + 6 < listen.size()) {
        return false;
    }
    unsigned port = 0;
    for (const char c : listen.substr(colon + 1)) {
        if (c < '0' || c > '9') {
            return false;
        }
        port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port > 65535) {
        return false;
    }
    const std::string_view host = listen.substr(0, colon);
    if (host.front() == '[') {
        return host.size() > 2 && host.back() == ']';
    }
    return host.find(':') == std::string_view::npos;
}

// 127.0.0.0/8, [::1] or localhost.
bool is_loopback_listen(std::string_view listen)
{
    const std::string_view host = listen.substr(0, listen.rfind(':'));
    return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

bool has_glob_characters(std::string_view pattern)
{
    return pattern.find_first_of("*?[") != std::string_view::npos;
}

std::string escape_glob(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out;
}

std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::filesystem::path& path)
{
    return path.is_absolute() || base_dir.empty() ? path : base_dir / path;
}

// "feed", or feed "https://x" once its identity is known.
std::string label(std::string_view kind, const std::string& identity)
{
    return identity.empty() ? std::string(kind) : std::string(kind) + " " + in_quotes(identity);
}

// A parsed file and the reader that reports against it. The text outlives the reader.
struct Document {
    std::string text;
    std::unique_ptr<TomlReader> reader;
    toml::table root;
};

class Loader {
public:
    explicit Loader(const std::filesystem::path& path) { m_config.source = path; }

    // One watchlist file alone (feedwatch match): notify names and feed tags are not checked.
    ConfigResult run_watchlist_file()
    {
        if (auto document = open(m_config.source)) {
            read_watchlist_file(*document);
        }
        if (!m_errors.empty()) {
            sort_errors();
            return tl::unexpected<std::vector<ConfigError>>(std::move(m_errors));
        }
        return std::move(m_config);
    }

    ConfigResult run()
    {
        const std::filesystem::path& path = m_config.source;
        auto document = open(path);
        if (document) {
            read_main(*document);
        }
        check_references();
        if (!m_errors.empty()) {
            sort_errors();
            return tl::unexpected<std::vector<ConfigError>>(std::move(m_errors));
        }
        return std::move(m_config);
    }

private:
    std::unique_ptr<Document> open(const std::filesystem::path& path, std::optional<Location> named_at = {})
    {
        m_file_order.emplace(path.string(), m_file_order.size());
        auto content = detail::read_file(path);
        if (!content) {
            if (named_at) {
                m_errors.push_back({*named_at, "cannot read " + in_quotes(path.string()) + ": " + content.error()});
            } else {
                m_errors.push_back({Location{path, 0, 0}, "cannot read file: " + content.error()});
            }
            return nullptr;
        }
        auto document = std::make_unique<Document>();
        document->text = std::move(*content);
        document->reader = std::make_unique<TomlReader>(path, document->text, m_errors);
        try {
            document->root = toml::parse(document->text, path.string());
        } catch (const toml::parse_error& error) {
            document->reader->error(document->reader->at(error.source()), std::string(error.description()));
            return nullptr;
        }
        return document;
    }

    void read_main(Document& document)
    {
        TomlReader& reader = *document.reader;
        const toml::table& root = document.root;
        reader.reject_unknown_keys(root, {"watchlist_files", "feed_files", "daemon", "fetch", "story", "feed", "webhook", "watchlist"},
                                   "");
        if (const auto* node = root.get("daemon")) {
            read_daemon(*node, reader);
        }
        if (const auto* node = root.get("fetch")) {
            read_fetch(*node, reader);
        }
        if (const auto* node = root.get("story")) {
            read_story(*node, reader);
        }
        if (const auto* node = root.get("feed")) {
            read_feeds(*node, reader);
        }
        if (const auto* node = root.get("webhook")) {
            read_webhooks(*node, reader);
        }
        if (const auto* node = root.get("watchlist")) {
            read_watchlists(*node, reader);
        }
        if (const auto* node = root.get("watchlist_files")) {
            read_watchlist_files(*node, reader);
        }
        if (const auto* node = root.get("feed_files")) {
            read_feed_files(*node, reader);
        }
    }

    const toml::table* section(const toml::node& node, TomlReader& reader, std::string_view name)
    {
        const auto* table = node.as_table();
        if (table == nullptr) {
            reader.error(reader.at(node), std::string(name) + ": expected a table ([" + std::string(name) + "]), got " +
                                              std::string(detail::type_name(node)));
        }
        return table;
    }

    void read_daemon(const toml::node& node, TomlReader& reader)
    {
        const auto* table = section(node, reader, "daemon");
        if (table == nullptr) {
            return;
        }
        reader.reject_unknown_keys(*table, {"state_dir", "listen", "api_token_file"}, " in [daemon]");
        DaemonConfig& daemon = m_config.daemon;
        if (const auto* value = table->get("state_dir")) {
            if (auto state_dir = reader.string(*value, "daemon.state_dir")) {
                if (state_dir->empty()) {
                    reader.error(reader.at(*value), "daemon.state_dir: must not be empty");
                } else {
                    daemon.state_dir = *state_dir;
                }
            }
        }
        if (const auto* value = table->get("listen")) {
            if (auto listen = reader.string(*value, "daemon.listen")) {
                if (is_listen_address(*listen)) {
                    daemon.listen = *listen;
                } else {
                    reader.error(reader.at(*value),
                                 "daemon.listen: expected host:port such as \"127.0.0.1:9464\", got " + in_quotes(*listen));
                }
            }
        }
        if (const auto* value = table->get("api_token_file")) {
            if (auto file = reader.string(*value, "daemon.api_token_file")) {
                daemon.api_token_file = resolve(reader.file().parent_path(), *file);
                auto text = detail::read_file(*daemon.api_token_file);
                const std::size_t begin = text ? text->find_first_not_of(" \t\r\n") : std::string::npos;
                if (!text) {
                    reader.error(reader.at(*value), "daemon.api_token_file: cannot read " +
                                                        daemon.api_token_file->string() + ": " + text.error());
                } else if (begin == std::string::npos) {
                    reader.error(reader.at(*value), "daemon.api_token_file: " + daemon.api_token_file->string() +
                                                        " is empty; put a long random token in it "
                                                        "(head -c 32 /dev/urandom | base64)");
                } else {
                    daemon.api_token = text->substr(begin, text->find_last_not_of(" \t\r\n") + 1 - begin);
                }
            }
        }
        // The API shows what the daemon watches and what fired: beyond loopback, only with a token.
        if (const auto* value = table->get("listen"); value != nullptr && !daemon.api_token_file &&
                                                      !is_loopback_listen(daemon.listen)) {
            reader.error(reader.at(*value),
                         "daemon.listen: " + in_quotes(daemon.listen) +
                             " is reachable beyond this machine, and the HTTP API needs a bearer token there: set "
                             "[daemon] api_token_file to a file holding a random token, or listen on 127.0.0.1");
        }
    }

    void read_story(const toml::node& node, TomlReader& reader)
    {
        const auto* table = section(node, reader, "story");
        if (table == nullptr) {
            return;
        }
        reader.reject_unknown_keys(*table, {"enabled", "window", "threshold"}, " in [story]");
        StoryConfig& story = m_config.story;
        if (const auto* value = table->get("enabled")) {
            story.enabled = reader.boolean(*value, "story.enabled").value_or(story.enabled);
        }
        if (const auto* value = table->get("window")) {
            story.window = reader.duration(*value, "story.window").value_or(story.window);
        }
        if (const auto* value = table->get("threshold")) {
            const auto number = value->is_number() ? value->value<double>() : std::nullopt;
            if (!number || !(*number > 0.0 && *number <= 1.0)) {
                reader.error(reader.at(*value), "story.threshold: expected a number greater than 0 and at most 1, got " +
                                                    std::string(detail::type_name(*value)) +
                                                    (number ? " " + std::to_string(*number) : std::string()));
            } else {
                story.threshold = *number;
            }
        }
    }

    void read_fetch(const toml::node& node, TomlReader& reader)
    {
        const auto* table = section(node, reader, "fetch");
        if (table == nullptr) {
            return;
        }
        reader.reject_unknown_keys(*table,
                                   {"interval", "min_interval", "max_interval", "timeout", "max_body",
                                    "allow_private_networks", "user_agent", "concurrency", "connections_per_host"},
                                   " in [fetch]");
        FetchConfig& fetch = m_config.fetch;
        if (const auto* value = table->get("interval")) {
            fetch.interval = reader.duration(*value, "fetch.interval").value_or(fetch.interval);
        }
        if (const auto* value = table->get("min_interval")) {
            fetch.min_interval = reader.duration(*value, "fetch.min_interval").value_or(fetch.min_interval);
        }
        if (const auto* value = table->get("max_interval")) {
            fetch.max_interval = reader.duration(*value, "fetch.max_interval").value_or(fetch.max_interval);
            if (fetch.max_interval < fetch.min_interval) {
                reader.error(reader.at(*value), "fetch.max_interval: must not be shorter than fetch.min_interval");
            }
        }
        for (const auto& [key, target] : {std::pair{"concurrency", &fetch.concurrency},
                                          std::pair{"connections_per_host", &fetch.connections_per_host}}) {
            if (const auto* value = table->get(key)) {
                const auto* integer = value->as_integer();
                if (integer == nullptr || integer->get() < 1 || integer->get() > 100000) {
                    reader.error(reader.at(*value), std::string("fetch.") + key + ": expected an integer from 1 to 100000");
                } else {
                    *target = static_cast<std::size_t>(integer->get());
                }
            }
        }
        if (const auto* value = table->get("timeout")) {
            fetch.timeout = reader.duration(*value, "fetch.timeout").value_or(fetch.timeout);
        }
        if (const auto* value = table->get("max_body")) {
            if (auto size = reader.size(*value, "fetch.max_body")) {
                if (*size == 0) {
                    reader.error(reader.at(*value), "fetch.max_body: must be greater than zero");
                } else {
                    fetch.max_body = *size;
                }
            }
        }
        if (const auto* value = table->get("allow_private_networks")) {
            fetch.allow_private_networks =
                reader.boolean(*value, "fetch.allow_private_networks").value_or(fetch.allow_private_networks);
        }
        if (const auto* value = table->get("user_agent")) {
            fetch.user_agent = reader.string(*value, "fetch.user_agent").value_or(fetch.user_agent);
        }
    }

    void read_feeds(const toml::node& node, TomlReader& reader)
    {
        const auto* array = reader.tables(node, "feed");
        if (array == nullptr) {
            return;
        }
        for (const auto& element : *array) {
            const auto& table = *element.as_table();
            FeedConfig feed;
            feed.where = reader.at(table);
            reader.reject_unknown_keys(table, {"url", "interval", "tags", "allow_private_networks"}, " in [[feed]]");
            bool ok = true;
            if (const auto* value = reader.require(table, "url", "feed")) {
                auto url = reader.string(*value, "feed: url");
                if (url && !is_http_url(*url)) {
                    reader.error(reader.at(*value), "feed: url: " + in_quotes(*url) + " is not an http or https URL");
                    url.reset();
                }
                if (url) {
                    feed.url = *url;
                    const auto [first, inserted] = m_feed_urls.emplace(feed.url, reader.at(*value));
                    if (!inserted) {
                        reader.error(reader.at(*value),
                                     "duplicate feed " + in_quotes(feed.url) + " (first at " + describe(first->second) + ")");
                        ok = false;
                    }
                }
            }
            const std::string what = label("feed", feed.url);
            if (const auto* value = table.get("interval")) {
                feed.interval = reader.duration(*value, what + ": interval");
            }
            if (const auto* value = table.get("tags")) {
                if (auto tags = reader.strings(*value, what + ": tags")) {
                    for (auto& tag : *tags) {
                        feed.tags.push_back(std::move(tag.value));
                    }
                }
            }
            if (const auto* value = table.get("allow_private_networks")) {
                feed.allow_private_networks = reader.boolean(*value, what + ": allow_private_networks");
            }
            if (ok && !feed.url.empty()) {
                m_config.feeds.push_back(std::move(feed));
            }
        }
    }

    void read_webhooks(const toml::node& node, TomlReader& reader)
    {
        const auto* array = reader.tables(node, "webhook");
        if (array == nullptr) {
            return;
        }
        const std::filesystem::path base_dir = reader.file().parent_path();
        for (const auto& element : *array) {
            const auto& table = *element.as_table();
            WebhookConfig webhook;
            webhook.where = reader.at(table);
            reader.reject_unknown_keys(table,
                                       {"name", "url", "secret_file", "previous_secret_file", "timeout", "format",
                                        "max_per_minute", "concurrency", "give_up_after", "test_retry_scale", "story_updates",
                                        "digest_interval"},
                                       " in [[webhook]]");
            if (const auto* value = reader.require(table, "name", "webhook")) {
                if (auto name = reader.string(*value, "webhook: name")) {
                    if (name->empty()) {
                        reader.error(reader.at(*value), "webhook: name: must not be empty");
                    } else {
                        webhook.name = *name;
                        const auto [first, inserted] = m_webhook_names.emplace(webhook.name, reader.at(*value));
                        if (!inserted) {
                            reader.error(reader.at(*value), "duplicate webhook name " + in_quotes(webhook.name) +
                                                                " (first at " + describe(first->second) + ")");
                        }
                    }
                }
            }
            const std::string what = label("webhook", webhook.name);
            if (const auto* value = reader.require(table, "url", what)) {
                if (auto url = reader.string(*value, what + ": url")) {
                    if (is_http_url(*url)) {
                        webhook.url = *url;
                    } else {
                        reader.error(reader.at(*value), what + ": url: " + in_quotes(*url) + " is not an http or https URL");
                    }
                }
            }
            if (const auto* value = table.get("timeout")) {
                webhook.timeout = reader.duration(*value, what + ": timeout").value_or(webhook.timeout);
            }
            for (const char* key : {"secret_file", "previous_secret_file"}) {
                const auto* value = table.get(key);
                if (value == nullptr) {
                    continue;
                }
                if (auto file = reader.string(*value, what + ": " + key)) {
                    if (file->empty()) {
                        reader.error(reader.at(*value), what + ": " + key + ": must not be empty");
                    } else {
                        auto& path = std::string_view(key) == "secret_file" ? webhook.secret_file
                                                                            : webhook.previous_secret_file;
                        path = resolve(base_dir, *file);
                        auto secret = detail::read_secret(*path);
                        if (secret) {
                            webhook.secrets.push_back(std::move(*secret));  // secret_file is read first
                        } else {
                            reader.error(reader.at(*value), what + ": " + key + ": " + secret.error());
                        }
                    }
                }
            }
            if (webhook.previous_secret_file && !webhook.secret_file) {
                reader.error(reader.at(table), what + ": previous_secret_file needs secret_file");
            }
            if (const auto* value = table.get("format")) {
                if (auto format = reader.string(*value, what + ": format")) {
                    if (*format == "json" || *format == "slack" || *format == "discord" || *format == "teams") {
                        webhook.format = *format;
                    } else {
                        reader.error(reader.at(*value), what + ": format: " + in_quotes(*format) +
                                                            " is not one of json, slack, discord, teams");
                    }
                }
            }
            // Machines get every report, typed; people get one message per story per interval.
            webhook.story_updates = webhook.format == "json" ? "each" : "digest";
            if (const auto* value = table.get("story_updates")) {
                if (auto mode = reader.string(*value, what + ": story_updates")) {
                    if (*mode == "each" || *mode == "digest" || *mode == "none") {
                        webhook.story_updates = *mode;
                    } else {
                        reader.error(reader.at(*value), what + ": story_updates: " + in_quotes(*mode) +
                                                            " is not one of each, digest, none");
                    }
                }
            }
            if (const auto* value = table.get("digest_interval")) {
                webhook.digest_interval =
                    reader.duration(*value, what + ": digest_interval").value_or(webhook.digest_interval);
            }
            struct IntegerKey {
                const char* key;
                int* target;
                std::int64_t low;
                std::int64_t high;
            };
            for (const IntegerKey& spec : {IntegerKey{"max_per_minute", &webhook.max_per_minute, 0, 100000},
                                           IntegerKey{"concurrency", &webhook.concurrency, 1, 64}}) {
                if (const auto* value = table.get(spec.key)) {
                    const auto* integer = value->as_integer();
                    if (integer == nullptr || integer->get() < spec.low || integer->get() > spec.high) {
                        reader.error(reader.at(*value), what + ": " + spec.key + ": expected an integer from " +
                                                            std::to_string(spec.low) + " to " + std::to_string(spec.high));
                    } else {
                        *spec.target = static_cast<int>(integer->get());
                    }
                }
            }
            if (const auto* value = table.get("give_up_after")) {
                webhook.give_up_after = reader.duration(*value, what + ": give_up_after").value_or(webhook.give_up_after);
            }
            if (const auto* value = table.get("test_retry_scale")) {
                const auto number = value->value<double>();
                if (!number || *number <= 0 || *number > 1) {
                    reader.error(reader.at(*value), what + ": test_retry_scale: expected a number in (0, 1]");
                } else {
                    webhook.test_retry_scale = *number;
                }
            }
            m_config.webhooks.push_back(std::move(webhook));
        }
    }

    void read_watchlists(const toml::node& node, TomlReader& reader)
    {
        const auto* array = reader.tables(node, "watchlist");
        if (array == nullptr) {
            return;
        }
        for (const auto& element : *array) {
            const auto& table = *element.as_table();
            WatchlistConfig watchlist;
            watchlist.where = reader.at(table);
            reader.reject_unknown_keys(table, {"name", "query", "notify", "feeds", "language", "enabled"},
                                       " in [[watchlist]]");
            if (const auto* value = reader.require(table, "name", "watchlist")) {
                if (auto name = reader.string(*value, "watchlist: name")) {
                    if (name->empty()) {
                        reader.error(reader.at(*value), "watchlist: name: must not be empty");
                    } else {
                        watchlist.name = *name;
                        const auto [first, inserted] = m_watchlist_names.emplace(watchlist.name, reader.at(*value));
                        if (!inserted) {
                            reader.error(reader.at(*value), "duplicate watchlist name " + in_quotes(watchlist.name) +
                                                                " (first at " + describe(first->second) + ")");
                        }
                    }
                }
            }
            const std::string what = label("watchlist", watchlist.name);
            if (const auto* value = reader.require(table, "query", what)) {
                if (auto query = reader.string(*value, what + ": query")) {
                    watchlist.query = *query;
                    watchlist.query_where = reader.inside_string(*value, 0);
                    if (auto parsed = match::Query::parse(*query); !parsed) {
                        reader.error(reader.inside_string(*value, parsed.error().offset),
                                     what + ": query: " + parsed.error().message);
                    }
                }
            }
            std::vector<detail::Located> notify;
            if (const auto* value = table.get("notify")) {
                if (auto names = reader.strings(*value, what + ": notify")) {
                    notify = std::move(*names);
                }
            }
            if (const auto* value = table.get("enabled")) {
                watchlist.enabled = reader.boolean(*value, what + ": enabled").value_or(watchlist.enabled);
            }
            if (const auto* value = table.get("language")) {
                if (auto language = reader.string(*value, what + ": language")) {
                    if (match::is_known_language(*language)) {
                        watchlist.language = *language;
                    } else {
                        std::string known;
                        for (const auto& name : match::known_languages()) {
                            known += (known.empty() ? "" : ", ") + name;
                        }
                        reader.error(reader.at(*value),
                                     what + ": language: unknown language " + in_quotes(*language) + " (known: " + known + ")");
                    }
                }
            }
            if (const auto* value = table.get("feeds")) {
                if (auto scopes = reader.strings(*value, what + ": feeds")) {
                    for (const auto& scope : *scopes) {
                        const bool tag = scope.value.rfind("tag:", 0) == 0;
                        if (tag ? scope.value.size() == 4
                                : scope.value.rfind("http://", 0) != 0 && scope.value.rfind("https://", 0) != 0) {
                            reader.error(scope.where, what + ": feeds: " + in_quotes(scope.value) +
                                                          " is neither tag:NAME nor a feed URL prefix (http:// or https://)");
                            continue;
                        }
                        if (tag) {
                            m_scope_tags.push_back(ScopeTag{scope.value.substr(4), scope.where, what});
                        }
                        watchlist.feeds.push_back(scope.value);
                    }
                }
            }
            for (const auto& name : notify) {
                watchlist.notify.push_back(name.value);
            }
            m_notify.push_back(Notify{what, std::move(notify)});
            m_config.watchlists.push_back(std::move(watchlist));
        }
    }

    // The files named by a list of paths and globs (key: watchlist_files, feed_files), each
    // with the place that named it, in order, a file named twice (two globs matching one
    // file) once. A glob that matches nothing is an error at the pattern.
    std::vector<std::pair<std::filesystem::path, Location>> named_files(const toml::node& node, TomlReader& reader,
                                                                        std::string_view key)
    {
        std::vector<std::pair<std::filesystem::path, Location>> files;
        auto patterns = reader.strings(node, key);
        if (!patterns) {
            return files;
        }
        const std::filesystem::path base_dir = reader.file().parent_path();
        std::set<std::filesystem::path> seen;
        for (const auto& pattern : *patterns) {
            std::vector<std::filesystem::path> paths;
            if (!has_glob_characters(pattern.value)) {
                paths.push_back(resolve(base_dir, pattern.value));
            } else {
                const std::filesystem::path pattern_path(pattern.value);
                const std::string full = pattern_path.is_absolute() || base_dir.empty()
                                             ? pattern.value
                                             : escape_glob((base_dir / "").string()) + pattern.value;
                glob_t found{};
                if (::glob(full.c_str(), 0, nullptr, &found) == 0) {
                    for (std::size_t i = 0; i < found.gl_pathc; ++i) {
                        paths.emplace_back(found.gl_pathv[i]);
                    }
                }
                ::globfree(&found);
                if (paths.empty()) {
                    reader.error(pattern.where, std::string(key) + ": " + in_quotes(pattern.value) + " matches no file");
                    continue;
                }
            }
            for (auto& path : paths) {
                std::error_code error;
                const auto canonical = std::filesystem::weakly_canonical(path, error);
                if (seen.insert(error ? path : canonical).second) {
                    files.emplace_back(std::move(path), pattern.where);
                }
            }
        }
        return files;
    }

    void read_watchlist_files(const toml::node& node, TomlReader& reader)
    {
        for (const auto& [path, where] : named_files(node, reader, "watchlist_files")) {
            if (auto document = open(path, where)) {
                read_watchlist_file(*document);
                m_config.watchlist_files.push_back(path);
            }
        }
    }

    // feed_files: TOML files of [[feed]] tables, and OPML files (.opml, .xml) whose outlines
    // with an xmlUrl become feeds tagged with their enclosing outlines' titles.
    void read_feed_files(const toml::node& node, TomlReader& reader)
    {
        for (const auto& [path, where] : named_files(node, reader, "feed_files")) {
            const std::string extension = path.extension().string();
            if (extension == ".opml" || extension == ".xml") {
                read_opml_file(path, where);
            } else if (auto document = open(path, where)) {
                TomlReader& file_reader = *document->reader;
                file_reader.reject_unknown_keys(document->root, {"feed"}, " (a feed file holds only [[feed]] tables)");
                if (const auto* feeds = document->root.get("feed")) {
                    read_feeds(*feeds, file_reader);
                }
            }
            m_config.feed_files.push_back(path);
        }
    }

    void read_opml_file(const std::filesystem::path& path, const Location& named_at)
    {
        m_file_order.emplace(path.string(), m_file_order.size());
        auto content = detail::read_file(path);
        if (!content) {
            m_errors.push_back({named_at, "cannot read " + in_quotes(path.string()) + ": " + content.error()});
            return;
        }
        auto outlines = parse::read_opml(*content);
        if (!outlines) {
            m_errors.push_back({Location{path, 0, 0}, "not an OPML document: " + outlines.error().detail});
            return;
        }
        for (auto& outline : *outlines) {
            const Location where{path, outline.line, 0};
            if (!is_http_url(outline.url)) {
                m_errors.push_back({where, "feed: url: " + in_quotes(outline.url) + " is not an http or https URL"});
                continue;
            }
            const auto [first, inserted] = m_feed_urls.emplace(outline.url, where);
            if (!inserted) {
                continue;  // OPML exports repeat feeds across categories: the first one wins
            }
            FeedConfig feed;
            feed.url = std::move(outline.url);
            feed.tags = std::move(outline.categories);
            feed.where = where;
            m_config.feeds.push_back(std::move(feed));
        }
    }

    void read_watchlist_file(Document& document)
    {
        TomlReader& reader = *document.reader;
        reader.reject_unknown_keys(document.root, {"watchlist"}, " (a watchlist file holds only [[watchlist]] tables)");
        if (const auto* node = document.root.get("watchlist")) {
            read_watchlists(*node, reader);
        }
    }

    void check_references()
    {
        // A mistyped tag would silently scope a watchlist to nothing.
        std::set<std::string> tags;
        for (const auto& feed : m_config.feeds) {
            tags.insert(feed.tags.begin(), feed.tags.end());
        }
        for (const auto& scope : m_scope_tags) {
            if (tags.count(scope.tag) == 0) {
                m_errors.push_back({scope.where, scope.what + ": feeds: no feed has the tag " + in_quotes(scope.tag)});
            }
        }
        for (const auto& notify : m_notify) {
            for (const auto& name : notify.names) {
                if (m_webhook_names.find(name.value) == m_webhook_names.end()) {
                    m_errors.push_back({name.where, notify.what + ": notify: unknown webhook " + in_quotes(name.value)});
                }
            }
        }
    }

    // Files in the order they were read, then by position.
    void sort_errors()
    {
        const auto rank = [this](const ConfigError& error) {
            const auto found = m_file_order.find(error.where.file.string());
            const std::size_t file = found == m_file_order.end() ? m_file_order.size() : found->second;
            return std::tuple(file, error.where.line, error.where.column);
        };
        std::stable_sort(m_errors.begin(), m_errors.end(),
                         [&](const ConfigError& a, const ConfigError& b) { return rank(a) < rank(b); });
    }

    struct Notify {
        std::string what;
        std::vector<detail::Located> names;
    };

    Config m_config;
    std::vector<ConfigError> m_errors;
    std::map<std::string, std::size_t> m_file_order;
    std::map<std::string, Location> m_feed_urls;
    std::map<std::string, Location> m_webhook_names;
    std::map<std::string, Location> m_watchlist_names;
    std::vector<Notify> m_notify;
    struct ScopeTag {
        std::string tag;
        Location where;
        std::string what;
    };
    std::vector<ScopeTag> m_scope_tags;
};

}  // namespace

std::string ConfigError::to_string() const
{
    return describe(where) + ": " + message;
}

ConfigResult load_config(const std::filesystem::path& path)
{
    return Loader(path).run();
}

ConfigResult load_watchlist_file(const std::filesystem::path& path)
{
    return Loader(path).run_watchlist_file();
}

std::vector<match::WatchlistSpec> watchlist_specs(const Config& config)
{
    std::vector<match::WatchlistSpec> specs;
    for (const auto& watchlist : config.watchlists) {
        if (!watchlist.enabled) {
            continue;
        }
        auto query = match::Query::parse(watchlist.query);
        if (query) {
            specs.push_back(match::WatchlistSpec{watchlist.name, std::move(*query), watchlist.notify, watchlist.language,
                                                 watchlist.feeds});
        }
    }
    return specs;
}

}  // namespace feedwatch::config
