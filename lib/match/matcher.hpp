#pragma once
// Watchlist matching. Pure: no I/O.
// This stage's query language (thin on purpose; the watchlist-language issue extends it):
// terms and "quoted phrases" joined by OR, case-insensitive and accent-insensitive, on word
// boundaries.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "model/article.hpp"
#include "model/feed.hpp"

namespace feedwatch::match {

struct QueryError {
    std::size_t offset = 0;  // byte offset into the query text
    std::string message;
};

// A parsed query: a list of alternatives, each a sequence of folded words.
class Query {
public:
    static tl::expected<Query, QueryError> parse(std::string_view text);
    const std::vector<std::vector<std::string>>& alternatives() const { return m_alternatives; }
    const std::string& text() const { return m_text; }

private:
    std::string m_text;
    std::vector<std::vector<std::string>> m_alternatives;
};

struct WatchlistSpec {
    std::string name;
    Query query;
    std::vector<std::string> notify;
};

struct Hit {
    std::string watchlist;
    std::vector<std::string> notify;
    std::vector<model::Match> matches;  // at most 3
};

// Evaluates every watchlist against one item, in the order the watchlists were given.
class Matcher {
public:
    explicit Matcher(std::vector<WatchlistSpec> watchlists);
    std::vector<Hit> match(const model::Item& item) const;
    std::size_t size() const { return m_watchlists.size(); }

private:
    std::vector<WatchlistSpec> m_watchlists;
};

}  // namespace feedwatch::match
