#pragma once
// Watchlist matching. Pure: no I/O.
// The language is in match/query.hpp. An article is normalized once (folded tokens, stems),
// then an index from words, stems and prefixes to the watchlists that need them picks the
// few watchlists worth evaluating, so the cost per article grows with its length, not with
// the number of watchlists.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "match/query.hpp"
#include "model/article.hpp"
#include "model/feed.hpp"

namespace feedwatch::match {

struct WatchlistSpec {
    std::string name;
    Query query;
    std::vector<std::string> notify;
    std::string language = "english";  // a libstemmer algorithm name
    std::vector<std::string> feeds;    // scope: "tag:NAME" or a URL prefix; empty means every feed
};

// Where an item came from, for feed: terms and feeds scopes.
struct FeedInfo {
    std::string_view url;
    std::string_view title;
    std::span<const std::string> tags;
};

struct Hit {
    std::string watchlist;
    std::vector<std::string> notify;
    std::vector<model::Match> matches;  // at most 3
};

// True when libstemmer has a stemmer of that name ("english", "french", "german", ...).
bool is_known_language(std::string_view language);
// Every language name libstemmer knows, for error messages.
std::vector<std::string> known_languages();

// Byte ranges [begin, end) of the words of text that the query's non-negated terms match,
// ascending, phrases whole; for showing why an item matched (fields are not considered).
// Throws std::invalid_argument on an unknown language.
std::vector<std::pair<std::size_t, std::size_t>> highlight(const Query& query, std::string_view language,
                                                           std::string_view text);

// The watchlists that matched one item, in the order they were given, found without copying
// any text: names, terms and snippets are produced only for the hits a caller turns into
// alerts. Holds views into the item and the Matcher that made it: both must outlive it. One
// thread at a time (snippets are cached inside).
class Matches {
public:
    ~Matches();
    Matches(Matches&&) noexcept;
    Matches& operator=(Matches&&) noexcept;
    Matches(const Matches&) = delete;
    Matches& operator=(const Matches&) = delete;

    std::size_t size() const;
    bool empty() const { return size() == 0; }

    // The spec of hit number `hit` (< size()): its name, notify list, query.
    const WatchlistSpec& watchlist(std::size_t hit) const;
    // Up to 3 matches of hit number `hit`: term, field, a snippet of about 160 bytes from that
    // field, built now (and shared with other hits that show the same words).
    std::vector<model::Match> matches(std::size_t hit) const;
    // Name, notify list and matches of hit number `hit`, copied.
    Hit hit(std::size_t hit) const;

private:
    friend class Matcher;
    struct State;
    explicit Matches(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

class Matcher {
public:
    // Throws std::invalid_argument on an unknown language (config validates them first).
    explicit Matcher(std::vector<WatchlistSpec> watchlists);
    ~Matcher();
    Matcher(const Matcher&) = delete;
    Matcher& operator=(const Matcher&) = delete;

    // The watchlists that match item, in the order they were given, each with up to 3
    // matches (term, field, snippet of about 160 bytes from that field). Safe to call from
    // several threads.
    std::vector<Hit> match(const model::Item& item, const FeedInfo& feed = {}) const;

    // The same verdicts as match() without building any alert yet: cheap when many watchlists
    // match and only some hits become alerts. item and this Matcher must outlive the result.
    Matches find(const model::Item& item, const FeedInfo& feed = {}) const;

    // Every watchlist evaluated directly, without the index. Same result as match();
    // slower; kept for tests and the benchmark's reference row.
    std::vector<Hit> match_unindexed(const model::Item& item, const FeedInfo& feed = {}) const;

    std::size_t size() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace feedwatch::match
