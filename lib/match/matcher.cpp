#include "match/matcher.hpp"

#include <string_view>
#include <unordered_map>
#include <utility>

#include "normalize/text.hpp"

namespace feedwatch::match {
namespace {

constexpr std::size_t k_max_matches = 3;
constexpr std::size_t k_snippet_bytes = 160;

bool is_query_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

tl::unexpected<QueryError> query_error(std::size_t offset, std::string message)
{
    return tl::unexpected<QueryError>(QueryError{offset, std::move(message)});
}

// One lexical element of a query: the OR keyword, a bare term or a quoted phrase.
struct Element {
    enum class Kind { or_keyword, term, phrase } kind;
    std::size_t offset;     // of its first byte (the quote for a phrase)
    std::string_view text;  // without the quotes
};

// One field of an item, tokenized once and indexed by folded word.
struct Field {
    std::string_view name;
    std::string_view text;
    std::vector<normalize::Token> tokens;
    std::unordered_map<std::string_view, std::vector<std::size_t>> positions;  // word -> token indexes

    Field(std::string_view field_name, std::string_view field_text)
        : name(field_name), text(field_text), tokens(normalize::tokenize(field_text))
    {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            positions[tokens[i].folded].push_back(i);
        }
    }

    // Index of the first token where words occur as a consecutive run, or npos.
    std::size_t find(const std::vector<std::string>& words) const
    {
        const auto first = positions.find(words.front());
        if (first == positions.end()) {
            return std::string::npos;
        }
        for (const std::size_t start : first->second) {
            if (start + words.size() > tokens.size()) {
                break;
            }
            bool all = true;
            for (std::size_t k = 1; k < words.size() && all; ++k) {
                all = tokens[start + k].folded == words[k];
            }
            if (all) {
                return start;
            }
        }
        return std::string::npos;
    }
};

std::string join(const std::vector<std::string>& words)
{
    std::string out;
    for (const auto& word : words) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out.append(word);
    }
    return out;
}

}  // namespace

tl::expected<Query, QueryError> Query::parse(std::string_view text)
{
    std::vector<Element> elements;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (is_query_space(text[pos])) {
            ++pos;
            continue;
        }
        if (text[pos] == '"') {
            const std::size_t close = text.find('"', pos + 1);
            if (close == std::string_view::npos) {
                return query_error(pos, "unterminated quote");
            }
            elements.push_back({Element::Kind::phrase, pos, text.substr(pos + 1, close - pos - 1)});
            pos = close + 1;
            continue;
        }
        const std::size_t start = pos;
        while (pos < text.size() && !is_query_space(text[pos]) && text[pos] != '"') {
            ++pos;
        }
        const std::string_view word = text.substr(start, pos - start);
        elements.push_back({word == "OR" ? Element::Kind::or_keyword : Element::Kind::term, start, word});
    }
    if (elements.empty()) {
        return query_error(0, "empty query");
    }

    Query query;
    query.m_text = std::string(text);
    bool expect_term = true;
    for (std::size_t i = 0; i < elements.size(); ++i) {
        const Element& element = elements[i];
        if (element.kind == Element::Kind::or_keyword) {
            if (i == 0) {
                return query_error(element.offset, "expected a term before OR");
            }
            if (expect_term) {
                return query_error(element.offset, "expected a term, found OR");
            }
            if (i + 1 == elements.size()) {
                return query_error(element.offset, "expected a term after OR");
            }
            expect_term = true;
            continue;
        }
        if (!expect_term) {
            std::string message = "expected OR before \"" + std::string(element.text) + "\"";
            if (element.kind == Element::Kind::term && normalize::fold(element.text) == "or") {
                message += " (the operator is upper-case OR)";
            }
            return query_error(element.offset, std::move(message));
        }
        std::vector<std::string> words;
        for (auto& token : normalize::tokenize(element.text)) {
            words.push_back(std::move(token.folded));
        }
        if (words.empty()) {
            if (element.kind == Element::Kind::phrase) {
                return query_error(element.offset, "empty phrase");
            }
            return query_error(element.offset,
                               "term \"" + std::string(element.text) + "\" has no letters or digits");
        }
        query.m_alternatives.push_back(std::move(words));
        expect_term = false;
    }
    return query;
}

Matcher::Matcher(std::vector<WatchlistSpec> watchlists) : m_watchlists(std::move(watchlists)) {}

std::vector<Hit> Matcher::match(const model::Item& item) const
{
    std::vector<Hit> hits;
    if (m_watchlists.empty()) {
        return hits;
    }
    const std::string_view content = item.text.empty() ? std::string_view(item.summary) : std::string_view(item.text);
    const Field fields[] = {Field("title", item.title), Field("content", content)};

    for (const auto& watchlist : m_watchlists) {
        std::vector<model::Match> matches;
        for (const auto& words : watchlist.query.alternatives()) {
            for (const Field& field : fields) {
                if (matches.size() == k_max_matches) {
                    break;
                }
                const std::size_t start = field.find(words);
                if (start == std::string::npos) {
                    continue;
                }
                const auto& first = field.tokens[start];
                const auto& last = field.tokens[start + words.size() - 1];
                matches.push_back(model::Match{join(words), std::string(field.name),
                                               normalize::snippet(field.text, first.begin, last.end,
                                                                  k_snippet_bytes)});
            }
        }
        if (!matches.empty()) {
            hits.push_back(Hit{watchlist.name, watchlist.notify, std::move(matches)});
        }
    }
    return hits;
}

}  // namespace feedwatch::match
