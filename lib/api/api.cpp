#include "api/api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "api/alert_cache.hpp"
#include "api/alert_json.hpp"
#include "api/story_json.hpp"
#include "match/matcher.hpp"
#include "match/query.hpp"
#include "store/queries.hpp"
#include "store/stories.hpp"

namespace feedwatch::api {
namespace {

using nlohmann::json;
using Header = serve::Header;

constexpr std::size_t k_alert_limit_max = 500;
constexpr std::size_t k_alert_limit_default = 100;
constexpr std::size_t k_article_limit_max = 200;
constexpr std::size_t k_article_limit_default = 50;
constexpr std::size_t k_story_limit_max = 200;
constexpr std::size_t k_story_limit_default = 50;
constexpr std::size_t k_story_reports_max = 1000;  // reports listed by /api/v1/stories/{id}
constexpr std::size_t k_replay_max = 1000;  // events replayed to a stream that resumes
// Rendered alerts kept (api/alert_cache.hpp): the first pages of the listing and of each
// watchlist, and the live page's first load; about 1 KB each.
constexpr std::size_t k_rendered_alerts_kept = 4096;

std::string dump(const json& value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

serve::Response json_response(int status, const json& value)
{
    return serve::Response{status, "application/json", {Header{"cache-control", "no-store"}}, dump(value) + "\n"};
}

serve::Response bad_parameter(std::string_view parameter, std::string message)
{
    return json_response(400, json{{"error", std::move(message)}, {"parameter", parameter}});
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// application/x-www-form-urlencoded decoding ('+' is a space); nullopt on a bad escape.
std::optional<std::string> url_decode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

struct Parameters {
    std::map<std::string, std::string> values;
    std::string bad;  // the first parameter that could not be decoded
};

Parameters parse_query(std::string_view query)
{
    Parameters parameters;
    while (!query.empty()) {
        const std::size_t end = std::min(query.find('&'), query.size());
        const std::string_view pair = query.substr(0, end);
        query.remove_prefix(std::min(end + 1, query.size()));
        if (pair.empty()) {
            continue;
        }
        const std::size_t equals = pair.find('=');
        auto name = url_decode(pair.substr(0, equals));
        auto value = url_decode(equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1));
        if (!name || !value) {
            if (parameters.bad.empty()) {
                parameters.bad = name ? *name : std::string(pair.substr(0, equals));
            }
            continue;
        }
        parameters.values[*name] = std::move(*value);
    }
    return parameters;
}

// Checks that only allowed names are present; returns the first other name.
std::optional<std::string> unknown_parameter(const Parameters& parameters, std::initializer_list<std::string_view> allowed)
{
    for (const auto& [name, value] : parameters.values) {
        if (name == "access_token") {
            continue;
        }
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            return name;
        }
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text)
{
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<core::Instant> parse_since(std::string_view text)
{
    if (auto instant = core::parse_rfc3339(text)) {
        return instant;
    }
    if (auto duration = config::parse_duration(text)) {
        return core::now() - *duration;
    }
    return std::nullopt;
}

json article_json(const model::Article& article, const std::vector<model::Match>& matches)
{
    const auto& item = article.item;
    const std::optional<core::Instant> published = item.published ? item.published : item.updated;
    std::string summary = item.text.substr(0, std::min<std::size_t>(item.text.size(), 300));
    json match_list = json::array();
    for (const auto& match : matches) {
        match_list.push_back({{"term", match.term}, {"field", match.field}, {"snippet", match.snippet}});
    }
    return json{{"id", article.id},
                {"title", item.title},
                {"link", item.link},
                {"published", published ? json(core::format_rfc3339(*published)) : json(nullptr)},
                {"first_seen", core::format_rfc3339(article.first_seen)},
                {"author", item.author},
                {"summary", std::move(summary)},
                {"feed", {{"url", article.feed.url}, {"title", article.feed.title}}},
                {"matches", std::move(match_list)}};
}

std::string sse_event(const store::AlertRecord& record, const std::string& payload)
{
    return "id: " + std::to_string(record.sequence) + "\nevent: alert\ndata: " + payload + "\n\n";
}

struct Subscriber {
    std::shared_ptr<serve::Stream> stream;
    std::string watchlist;  // empty: all
};

}  // namespace

bool same_token(std::string_view left, std::string_view right)
{
    // Walk the longer length so that the time depends on neither content nor the mismatch.
    const std::size_t length = std::max(left.size(), right.size());
    unsigned char difference = left.size() == right.size() ? 0 : 1;
    for (std::size_t i = 0; i < length; ++i) {
        const auto a = static_cast<unsigned char>(i < left.size() ? left[i] : 0);
        const auto b = static_cast<unsigned char>(i < right.size() ? right[i] : 0);
        difference |= static_cast<unsigned char>(a ^ b);
    }
    return difference == 0;
}

struct Api::Impl {
    store::Store& store;
    const config::Config* config;  // not copied: the feed list can hold 100,000 entries
    std::vector<Subscriber> subscribers;
    std::uint64_t published = 0;  // highest alert sequence pushed to streams
    bool stopped = false;
    AlertCache rendered{k_rendered_alerts_kept};

    Impl(store::Store& store_ref, const config::Config& initial) : store(store_ref), config(&initial)
    {
        auto last = store::last_alert_sequence(store);
        published = last ? *last : 0;
    }

    void apply(const config::Config& applied) { config = &applied; }

    bool authorized(const serve::Request& request, const Parameters& parameters) const
    {
        const std::string& token = config->daemon.api_token;
        if (token.empty()) {
            return true;
        }
        const std::string authorization = request.header("authorization");
        constexpr std::string_view k_bearer = "Bearer ";
        if (authorization.size() > k_bearer.size() &&
            std::equal(k_bearer.begin(), k_bearer.end(), authorization.begin(),
                       [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                   std::tolower(static_cast<unsigned char>(b)); })) {
            return same_token(std::string_view(authorization).substr(k_bearer.size()), token);
        }
        const auto found = parameters.values.find("access_token");
        return found != parameters.values.end() && same_token(found->second, token);
    }

    serve::Response alerts(const Parameters& parameters);
    serve::Response stream(const serve::Request& request, const Parameters& parameters);
    serve::Response articles(const Parameters& parameters);
    serve::Response feed_list();
    serve::Response stories(const Parameters& parameters);
    serve::Response story(const std::string& id, const Parameters& parameters);
    serve::Response watchlist_list() const;

    // The rendered alert of a history row: kept, or decoded and rendered now and kept. Valid
    // until the next call.
    core::Result<const RenderedAlert*> rendered_alert(std::uint64_t sequence, std::string_view row)
    {
        if (const RenderedAlert* alert = rendered.find(sequence)) {
            return alert;
        }
        auto record = store::decode_alert(sequence, row);
        if (!record) {
            return tl::unexpected(record.error());
        }
        return &rendered.insert(render_alert(*record));
    }

    // The alert's JSON object with its current delivery state (rendered once per row).
    core::Result<std::string> alert_payload(const store::AlertRecord& record)
    {
        const RenderedAlert* alert = rendered.find(record.sequence);
        if (alert == nullptr) {
            alert = &rendered.insert(render_alert(record));
        }
        auto deliveries = store::deliveries(store, alert->webhooks);
        if (!deliveries) {
            return tl::unexpected(deliveries.error());
        }
        std::string out;
        append_alert_json(out, *alert, *deliveries);
        return out;
    }
};

namespace {

// limit: absent -> fallback; else 1..max.
// since=, when given, into since: a time or a duration back from now; else a 400 naming it.
std::optional<serve::Response> read_since(const Parameters& parameters, std::optional<core::Instant>& since)
{
    if (auto found = parameters.values.find("since"); found != parameters.values.end()) {
        since = parse_since(found->second);
        if (!since) {
            return bad_parameter("since", "since must be an RFC 3339 time (2026-11-24T10:00:00Z) or a duration (15m)");
        }
    }
    return std::nullopt;
}

// before=, when given, into before: a page cursor (a positive integer); else a 400 saying
// what it must be.
std::optional<serve::Response> read_before(const Parameters& parameters, std::uint64_t& before, std::string message)
{
    if (auto found = parameters.values.find("before"); found != parameters.values.end()) {
        const auto cursor = parse_unsigned(found->second);
        if (!cursor || *cursor == 0) {
            return bad_parameter("before", std::move(message));
        }
        before = *cursor;
    }
    return std::nullopt;
}

std::optional<std::size_t> read_limit(const Parameters& parameters, std::size_t fallback, std::size_t max, bool& bad)
{
    const auto found = parameters.values.find("limit");
    if (found == parameters.values.end()) {
        return fallback;
    }
    const auto value = parse_unsigned(found->second);
    if (!value || *value == 0 || *value > max) {
        bad = true;
        return std::nullopt;
    }
    return static_cast<std::size_t>(*value);
}

serve::Response store_error(const core::Error& error)
{
    return json_response(500, json{{"error", "store: " + error.detail}});
}

}  // namespace

serve::Response Api::Impl::alerts(const Parameters& parameters)
{
    if (auto unknown = unknown_parameter(parameters, {"watchlist", "since", "before", "limit"})) {
        return bad_parameter(*unknown, "unknown parameter '" + *unknown + "' (use watchlist, since, before, limit)");
    }
    store::AlertFilter filter;
    bool bad = false;
    const auto limit = read_limit(parameters, k_alert_limit_default, k_alert_limit_max, bad);
    if (bad) {
        return bad_parameter("limit", "limit must be an integer from 1 to " + std::to_string(k_alert_limit_max));
    }
    filter.limit = *limit;
    if (auto found = parameters.values.find("watchlist"); found != parameters.values.end()) {
        filter.watchlist = found->second;
    }
    if (auto bad_since = read_since(parameters, filter.since)) {
        return std::move(*bad_since);
    }
    if (auto bad_before = read_before(parameters, filter.before_sequence, "before must be an alert id (the next value of a previous page)")) {
        return std::move(*bad_before);
    }
    // The page's rendered alerts (kept, or parsed and rendered once), then their delivery state
    // in one batched read, spliced in as the answer is written: no JSON tree per request.
    // The pointers stay valid: a request touches at most limit + 1 entries, fewer than are kept.
    static_assert(k_alert_limit_max + 1 <= k_rendered_alerts_kept);
    std::vector<const RenderedAlert*> page;
    page.reserve(filter.limit);
    std::optional<core::Error> failed;
    // Adds the row unless it is older than since; Walk::stop when the page is complete.
    auto take = [&](const RenderedAlert& alert) {
        if (filter.since && alert.created < *filter.since) {
            return store::Walk::stop;  // history rows are in commit order, so everything further is older
        }
        page.push_back(&alert);
        return page.size() == filter.limit ? store::Walk::stop : store::Walk::more;
    };
    core::Result<void> walked;
    if (filter.watchlist.empty()) {
        walked =
            store::walk_alerts_newest(store, filter.before_sequence, [&](std::uint64_t sequence, std::string_view row) {
                auto alert = rendered_alert(sequence, row);
                if (!alert) {
                    failed = alert.error();
                    return store::Walk::stop;
                }
                return take(**alert);
            });
    } else {
        // The watchlist's own index: a rare watchlist does not cost a walk over everyone's alerts.
        auto sequences = store::alert_sequences_of(store, filter.watchlist, filter.before_sequence, filter.limit);
        if (!sequences) {
            return store_error(sequences.error());
        }
        for (const std::uint64_t sequence : *sequences) {
            const RenderedAlert* alert = rendered.find(sequence);
            if (alert == nullptr) {
                auto row = store::alert_row(store, sequence);
                if (!row) {
                    return store_error(row.error());
                }
                if (!*row) {
                    continue;
                }
                auto loaded = rendered_alert(sequence, **row);
                if (!loaded) {
                    return store_error(loaded.error());
                }
                alert = *loaded;
            }
            if (take(*alert) == store::Walk::stop) {
                break;
            }
        }
    }
    if (failed) {
        return store_error(*failed);
    }
    if (!walked) {
        return store_error(walked.error());
    }
    std::vector<const store::Webhooks*> webhooks;
    webhooks.reserve(page.size());
    for (const RenderedAlert* alert : page) {
        webhooks.push_back(&alert->webhooks);
    }
    auto deliveries = store::deliveries(store, webhooks);
    if (!deliveries) {
        return store_error(deliveries.error());
    }
    std::string body = "{\"alerts\":[";
    body.reserve(page.size() * 600 + 64);
    for (std::size_t i = 0; i < page.size(); ++i) {
        if (i > 0) {
            body += ',';
        }
        append_alert_json(body, *page[i], (*deliveries)[i]);
    }
    const std::size_t count = page.size();
    const std::uint64_t last = page.empty() ? 0 : page.back()->sequence;
    // Keys in the order nlohmann::json writes them ("alerts" < "next"), as before.
    body += "],\"next\":";
    body += count == filter.limit && count > 0 ? "\"" + std::to_string(last) + "\"" : std::string("null");
    body += "}\n";
    return serve::Response{200, "application/json", {Header{"cache-control", "no-store"}}, std::move(body)};
}

serve::Response Api::Impl::stories(const Parameters& parameters)
{
    if (auto unknown = unknown_parameter(parameters, {"watchlist", "since", "before", "limit"})) {
        return bad_parameter(*unknown, "unknown parameter '" + *unknown + "' (use watchlist, since, before, limit)");
    }
    store::StoryFilter filter;
    bool bad = false;
    const auto limit = read_limit(parameters, k_story_limit_default, k_story_limit_max, bad);
    if (bad) {
        return bad_parameter("limit", "limit must be an integer from 1 to " + std::to_string(k_story_limit_max));
    }
    filter.limit = *limit;
    if (auto found = parameters.values.find("watchlist"); found != parameters.values.end()) {
        if (found->second.empty()) {
            return bad_parameter("watchlist", "watchlist must be a watchlist name (leave it out for every story)");
        }
        filter.watchlist = found->second;
    }
    if (auto bad_since = read_since(parameters, filter.since)) {
        return std::move(*bad_since);
    }
    if (auto bad_before = read_before(parameters, filter.before_sequence, "before must be a story cursor (the next value of a previous page)")) {
        return std::move(*bad_before);
    }
    auto found = store::stories_newest(store, filter);
    if (!found) {
        return store_error(found.error());
    }
    json list = json::array();
    for (const store::StoryRecord& story : *found) {
        list.push_back(story_json(story));
    }
    const bool full = !found->empty() && found->size() == filter.limit;
    return json_response(200, json{{"stories", std::move(list)},
                                   {"next", full ? json(std::to_string(found->back().sequence)) : json(nullptr)}});
}

serve::Response Api::Impl::story(const std::string& id, const Parameters& parameters)
{
    if (auto unknown = unknown_parameter(parameters, {})) {
        return bad_parameter(*unknown, "unknown parameter '" + *unknown + "' (this endpoint takes none)");
    }
    auto found = store::story(store, id);
    if (!found) {
        return store_error(found.error());
    }
    if (!*found) {
        return json_response(404, json{{"error", "no such story: " + id}});
    }
    auto articles = store::story_articles(store, id, k_story_reports_max);
    if (!articles) {
        return store_error(articles.error());
    }
    return json_response(200, story_detail_json(**found, *articles));
}

serve::Response Api::Impl::stream(const serve::Request& request, const Parameters& parameters)
{
    if (auto unknown = unknown_parameter(parameters, {"watchlist", "last_event_id"})) {
        return bad_parameter(*unknown, "unknown parameter '" + *unknown + "' (use watchlist, last_event_id)");
    }
    std::string resume = request.header("last-event-id");
    std::string_view resume_parameter = "Last-Event-ID";
    if (resume.empty()) {
        if (auto found = parameters.values.find("last_event_id"); found != parameters.values.end()) {
            resume = found->second;
            resume_parameter = "last_event_id";
        }
    }
    std::optional<std::uint64_t> after;
    if (!resume.empty()) {
        after = parse_unsigned(resume);
        if (!after) {
            return bad_parameter(resume_parameter, std::string(resume_parameter) + " must be an alert id");
        }
    }
    Subscriber subscriber{std::make_shared<serve::Stream>(), {}};
    if (auto found = parameters.values.find("watchlist"); found != parameters.values.end()) {
        subscriber.watchlist = found->second;
    }
    std::string replay = "retry: 3000\n\n";
    if (after && *after < published) {
        auto records = store::alerts_after(store, *after, k_replay_max);
        if (!records) {
            return store_error(records.error());
        }
        for (const auto& record : *records) {
            if (record.sequence > published) {
                break;  // publish_new_alerts sends it
            }
            if (!subscriber.watchlist.empty() && record.watchlist != subscriber.watchlist) {
                continue;
            }
            auto payload = alert_payload(record);
            if (!payload) {
                return store_error(payload.error());
            }
            replay += sse_event(record, *payload);
        }
    }
    serve::Response response{200, "text/event-stream; charset=utf-8", {Header{"x-accel-buffering", "no"}}, replay};
    request.respond_with_stream(subscriber.stream);
    std::erase_if(subscribers, [](const Subscriber& s) { return s.stream->closed(); });
    subscribers.push_back(std::move(subscriber));
    return response;
}

serve::Response Api::Impl::articles(const Parameters& parameters)
{
    if (auto unknown = unknown_parameter(parameters, {"q", "feed", "since", "before", "limit"})) {
        return bad_parameter(*unknown, "unknown parameter '" + *unknown + "' (use q, feed, since, before, limit)");
    }
    store::ArticleFilter filter;
    bool bad = false;
    const auto limit = read_limit(parameters, k_article_limit_default, k_article_limit_max, bad);
    if (bad) {
        return bad_parameter("limit", "limit must be an integer from 1 to " + std::to_string(k_article_limit_max));
    }
    filter.limit = *limit;
    if (auto found = parameters.values.find("feed"); found != parameters.values.end()) {
        filter.feed_url = found->second;
    }
    if (auto bad_since = read_since(parameters, filter.since)) {
        return std::move(*bad_since);
    }
    if (auto bad_before = read_before(parameters, filter.before, "before must be the next value of a previous page")) {
        return std::move(*bad_before);
    }
    std::unique_ptr<match::Matcher> matcher;
    if (auto found = parameters.values.find("q"); found != parameters.values.end() && !found->second.empty()) {
        auto query = match::Query::parse(found->second);
        if (!query) {
            return bad_parameter("q", "q: at offset " + std::to_string(query.error().offset) + ": " +
                                          query.error().message);
        }
        std::vector<match::WatchlistSpec> specs;
        specs.push_back(match::WatchlistSpec{"q", std::move(*query), {}, "english", {}});
        matcher = std::make_unique<match::Matcher>(std::move(specs));
    }
    std::map<std::string, std::vector<model::Match>> found_matches;
    std::function<bool(const model::Article&)> keep;
    if (matcher) {
        keep = [&](const model::Article& article) {
            const match::FeedInfo info{article.feed.url, article.feed.title, {}};
            auto hits = matcher->match(article.item, info);
            if (hits.empty()) {
                return false;
            }
            found_matches[article.id] = std::move(hits.front().matches);
            return true;
        };
    }
    auto page = store::articles_newest(store, filter, keep);
    if (!page) {
        return store_error(page.error());
    }
    json list = json::array();
    for (const auto& article : page->articles) {
        list.push_back(article_json(article, found_matches[article.id]));
    }
    return json_response(200, json{{"articles", std::move(list)},
                                   {"scanned", page->scanned},
                                   {"next", page->next ? json(std::to_string(page->next)) : json(nullptr)}});
}

serve::Response Api::Impl::feed_list()
{
    auto states = store::feed_states(store);
    if (!states) {
        return store_error(states.error());
    }
    std::map<std::string, const store::FeedState*> by_url;
    for (const auto& [url, state] : *states) {
        by_url.emplace(url, &state);
    }
    const core::Instant now = core::now();
    json list = json::array();
    for (const auto& feed : config->feeds) {
        const auto found = by_url.find(feed.url);
        const store::FeedState* state = found == by_url.end() ? nullptr : found->second;
        json item = {{"url", feed.url}, {"tags", feed.tags}};
        if (state == nullptr) {
            item.update({{"title", ""},
                         {"state", "new"},
                         {"stale", false},
                         {"last_success", nullptr},
                         {"next_poll", nullptr},
                         {"consecutive_errors", 0},
                         {"interval_seconds", nullptr},
                         {"moved_to", nullptr},
                         {"last_outcome", nullptr},
                         {"last_status", nullptr},
                         {"last_poll", nullptr},
                         {"items_seen", 0}});
        } else {
            const char* health = state->disabled ? "disabled" : state->consecutive_errors > 0 ? "failing" : "ok";
            // Stale: no successful poll for three intervals (or ever, once a poll is overdue
            // by an interval), whatever the reason.
            const auto interval = std::chrono::seconds{std::max<std::int64_t>(state->interval_seconds, 60)};
            const bool stale = !state->disabled &&
                               ((state->last_success && now - *state->last_success > 3 * interval) ||
                                (!state->last_success && state->next_poll && now - *state->next_poll > interval));
            item.update({{"title", state->title},
                         {"state", health},
                         {"stale", stale},
                         {"last_success", state->last_success ? json(core::format_rfc3339(*state->last_success))
                                                              : json(nullptr)},
                         {"next_poll", state->next_poll ? json(core::format_rfc3339(*state->next_poll)) : json(nullptr)},
                         {"consecutive_errors", state->consecutive_errors},
                         {"interval_seconds", state->interval_seconds},
                         {"moved_to", state->moved_to.empty() ? json(nullptr) : json(state->moved_to)},
                         {"last_outcome", state->last_outcome.empty() ? json(nullptr) : json(state->last_outcome)},
                         {"last_status", state->last_status == 0 ? json(nullptr) : json(state->last_status)},
                         {"last_poll", state->last_poll ? json(core::format_rfc3339(*state->last_poll)) : json(nullptr)},
                         {"items_seen", state->items_seen}});
        }
        list.push_back(std::move(item));
    }
    return json_response(200, json{{"feeds", std::move(list)}});
}

serve::Response Api::Impl::watchlist_list() const
{
    json list = json::array();
    for (const auto& watchlist : config->watchlists) {
        list.push_back({{"name", watchlist.name},
                        {"query", watchlist.query},
                        {"notify", watchlist.notify},
                        {"language", watchlist.language},
                        {"feeds", watchlist.feeds},
                        {"enabled", watchlist.enabled}});
    }
    return json_response(200, json{{"watchlists", std::move(list)}});
}

Api::Api(store::Store& store, const config::Config& config) : m_impl(std::make_unique<Impl>(store, config)) {}

Api::~Api()
{
    stop();
}

bool Api::handles(std::string_view target)
{
    const std::string_view path = target.substr(0, target.find('?'));
    return path == "/" || path == "/index.html" || path.starts_with("/api/v1/");
}

serve::Response Api::handle(const serve::Request& request)
{
    const std::size_t question = request.target.find('?');
    const std::string path = request.target.substr(0, question);
    const Parameters parameters =
        parse_query(question == std::string::npos ? std::string_view{} : std::string_view(request.target).substr(question + 1));
    if (request.method != "GET" && request.method != "HEAD") {
        return json_response(405, json{{"error", "use GET"}});
    }
    if (path == "/" || path == "/index.html") {
        return serve::Response{200,
                               "text/html; charset=utf-8",
                               {Header{"content-security-policy",
                                       "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                                       "connect-src 'self'; img-src 'self' data:"},
                                Header{"cache-control", "no-cache"}},
                               std::string(page_html())};
    }
    if (!m_impl->authorized(request, parameters)) {
        return serve::Response{401,
                               "application/json",
                               {Header{"www-authenticate", "Bearer realm=\"feedwatch\""}},
                               "{\"error\":\"missing or wrong bearer token (Authorization: Bearer <token> from "
                               "[daemon] api_token_file)\"}\n"};
    }
    if (!parameters.bad.empty()) {
        return bad_parameter(parameters.bad, "parameter '" + parameters.bad + "' has a bad %-escape");
    }
    if (path == "/api/v1/alerts") {
        return m_impl->alerts(parameters);
    }
    if (path == "/api/v1/alerts/stream") {
        if (m_impl->stopped) {
            return json_response(503, json{{"error", "stopping"}});
        }
        publish_new_alerts();  // catch up first, so that the replay ends where live events begin
        return m_impl->stream(request, parameters);
    }
    if (path == "/api/v1/articles") {
        return m_impl->articles(parameters);
    }
    if (path == "/api/v1/stories") {
        return m_impl->stories(parameters);
    }
    if (constexpr std::string_view k_story_path = "/api/v1/stories/"; path.starts_with(k_story_path)) {
        const std::string id = path.substr(k_story_path.size());
        if (id.empty() || id.find('/') != std::string::npos) {
            return json_response(404, json{{"error", "no such story: " + id}});
        }
        return m_impl->story(id, parameters);
    }
    if (path == "/api/v1/feeds") {
        return m_impl->feed_list();
    }
    if (path == "/api/v1/watchlists") {
        return m_impl->watchlist_list();
    }
    return json_response(404, json{{"error", "no such endpoint: " + path}});
}

bool Api::authorized(const serve::Request& request) const
{
    const std::size_t question = request.target.find('?');
    return m_impl->authorized(request, parse_query(question == std::string::npos
                                                       ? std::string_view{}
                                                       : std::string_view(request.target).substr(question + 1)));
}

void Api::set_config(const config::Config& config)
{
    m_impl->apply(config);
}

void Api::publish_new_alerts()
{
    for (;;) {
        auto records = store::alerts_after(m_impl->store, m_impl->published, k_replay_max);
        if (!records || records->empty()) {
            return;
        }
        std::erase_if(m_impl->subscribers, [](const Subscriber& s) { return s.stream->closed(); });
        for (const auto& record : *records) {
            m_impl->published = record.sequence;
            if (m_impl->subscribers.empty()) {
                // Decoded anyway: render it now, so that the listing's first page stays cached.
                if (m_impl->rendered.find(record.sequence) == nullptr) {
                    m_impl->rendered.insert(render_alert(record));
                }
                continue;
            }
            auto payload = m_impl->alert_payload(record);
            if (!payload) {
                return;
            }
            const std::string event = sse_event(record, *payload);
            for (const auto& subscriber : m_impl->subscribers) {
                if (subscriber.watchlist.empty() || subscriber.watchlist == record.watchlist) {
                    subscriber.stream->send(event);
                }
            }
        }
    }
}

std::size_t Api::stream_count() const
{
    return static_cast<std::size_t>(std::count_if(m_impl->subscribers.begin(), m_impl->subscribers.end(),
                                                  [](const Subscriber& s) { return !s.stream->closed(); }));
}

void Api::stop()
{
    if (m_impl->stopped) {
        return;
    }
    m_impl->stopped = true;
    for (const auto& subscriber : m_impl->subscribers) {
        subscriber.stream->close();
    }
    m_impl->subscribers.clear();
}

}  // namespace feedwatch::api
