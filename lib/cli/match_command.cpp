// feedwatch match: try watchlists on a feed before deploying them.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/feed_source.hpp"
#include "config/config.hpp"
#include "match/matcher.hpp"
#include "parse/parser.hpp"

namespace feedwatch::cli {
namespace {

constexpr int k_matched = 0;
constexpr int k_nothing = 1;
constexpr int k_usage = 64;
constexpr int k_bad_feed = 65;   // EX_DATAERR
constexpr int k_no_input = 66;   // EX_NOINPUT
constexpr int k_bad_watchlist = 78;  // EX_CONFIG

constexpr std::string_view k_usage_text =
    "usage: feedwatch match --watchlists FILE [--query QUERY] FEED_FILE|URL|-\n"
    "       feedwatch match --query QUERY FEED_FILE|URL|-\n";


// The snippet with the words that made it match set off: bold on a terminal, «…» otherwise.
std::string highlighted(const match::WatchlistSpec& spec, const std::string& snippet, bool terminal)
{
    const auto ranges = match::highlight(spec.query, spec.language, snippet);
    const std::string_view open = terminal ? "\x1b[1m" : "\xC2\xAB";
    const std::string_view close = terminal ? "\x1b[0m" : "\xC2\xBB";
    std::string out;
    std::size_t done = 0;
    for (const auto& [begin, end] : ranges) {
        out.append(snippet, done, begin - done);
        out.append(open);
        out.append(snippet, begin, end - begin);
        out.append(close);
        done = end;
    }
    out.append(snippet, done);
    return out;
}

// "  query: a OR (b" and a caret under the offending byte.
void report_query_error(const std::string& query, const match::QueryError& error)
{
    std::cerr << "feedwatch match: --query: column " << error.offset + 1 << ": " << error.message << '\n'
              << "  " << query << '\n'
              << "  " << std::string(error.offset, ' ') << "^\n";
}

}  // namespace

int match_command(const std::vector<std::string>& args)
{
    std::string watchlists_path;
    std::optional<std::string> query_text;
    std::string input;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--watchlists" && i + 1 < args.size()) {
            watchlists_path = args[++i];
        } else if (args[i] == "--query" && i + 1 < args.size()) {
            query_text = args[++i];
        } else if (input.empty() && (args[i] == "-" || args[i].rfind("--", 0) != 0)) {
            input = args[i];
        } else {
            std::cerr << "feedwatch match: unexpected argument '" << args[i] << "'\n" << k_usage_text;
            return k_usage;
        }
    }
    if (input.empty() || (watchlists_path.empty() && !query_text)) {
        std::cerr << k_usage_text;
        return k_usage;
    }

    std::vector<match::WatchlistSpec> specs;
    if (!watchlists_path.empty()) {
        auto loaded = config::load_watchlist_file(watchlists_path);
        if (!loaded) {
            for (const auto& error : loaded.error()) {
                std::cerr << error.to_string() << '\n';
            }
            return k_bad_watchlist;
        }
        specs = config::watchlist_specs(*loaded);
    }
    if (query_text) {
        auto query = match::Query::parse(*query_text);
        if (!query) {
            report_query_error(*query_text, query.error());
            return k_bad_watchlist;
        }
        specs.push_back(match::WatchlistSpec{"--query", std::move(*query), {}, "english", {}});
    }
    // The matcher owns its copies; highlighting reads the specs. A file tried on its own has
    // no feed tags to scope by, so scopes are not applied here.
    std::vector<match::WatchlistSpec> copies = specs;
    for (auto& spec : copies) {
        spec.feeds.clear();
    }
    const match::Matcher matcher(std::move(copies));

    auto source = read_feed_source(input);
    if (!source) {
        std::cerr << "feedwatch match: " << source.error().detail << '\n';
        return k_no_input;
    }
    const parse::ParseOptions options{source->content_type, source->base};
    const auto parsed = parse::parse_feed(source->body, options);
    if (!parsed) {
        std::cerr << "feedwatch match: " << input << ": " << parsed.error().detail << '\n';
        return k_bad_feed;
    }

    const bool terminal = ::isatty(STDOUT_FILENO) == 1;
    const match::FeedInfo feed{is_url(input) ? std::string_view(input) : std::string_view(), parsed->feed.title, {}};
    std::size_t matched_items = 0;
    for (const auto& item : parsed->items) {
        const auto hits = matcher.match(item, feed);
        if (hits.empty()) {
            continue;
        }
        ++matched_items;
        std::cout << item.title << '\n';
        if (!item.link.empty()) {
            std::cout << "  " << item.link << '\n';
        }
        for (const auto& hit : hits) {
            const auto spec = std::find_if(specs.begin(), specs.end(),
                                           [&hit](const auto& candidate) { return candidate.name == hit.watchlist; });
            std::cout << "  watchlist " << hit.watchlist << '\n';
            for (const auto& found : hit.matches) {
                std::cout << "    " << found.field << ": " << highlighted(*spec, found.snippet, terminal) << '\n';
            }
        }
    }
    std::cerr << matched_items << " of " << parsed->items.size() << " items matched " << specs.size()
              << (specs.size() == 1 ? " watchlist" : " watchlists") << '\n';
    return matched_items > 0 ? k_matched : k_nothing;
}

}  // namespace feedwatch::cli
