#pragma once
// The watchlist query language, parsed into a small tree. Pure: no I/O.
//
//   word            word forms (stemmed in the watchlist's language), case and accents ignored
//   "a phrase"      consecutive words, exact word forms, case and accents ignored
//   =Word  ="A B"   exact form and exact case
//   prefix*         words starting with prefix
//   a b, a AND b    both;  a OR b  either;  NOT a, -a  not
//   a NEAR/5 b      at most 5 words between a and b, either order, in one field
//   title: summary: content: author: category: feed: link:   restrict a term or a (group)
// Precedence: NOT > AND (and adjacency) > OR; NEAR binds two words or phrases directly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace feedwatch::match {

struct QueryError {
    std::size_t offset = 0;  // byte offset into the query text
    std::string message;
};

enum class Field : std::uint8_t { title, summary, content, author, category, feed, link };
constexpr std::size_t k_field_count = 7;
using FieldSet = std::uint8_t;  // bit (1 << Field)
constexpr FieldSet field_bit(Field field) { return static_cast<FieldSet>(1U << static_cast<unsigned>(field)); }
constexpr FieldSet k_default_fields = field_bit(Field::title) | field_bit(Field::summary) | field_bit(Field::content);

// "title", "summary", ...
std::string_view field_name(Field field);

// A word, phrase or prefix of the query.
struct Leaf {
    enum class Kind {
        word,    // one word, matched by stem
        phrase,  // consecutive words, matched by folded form (and by spelling when exact_case)
        prefix,  // one word, matched by folded prefix
    };
    Kind kind = Kind::word;
    std::vector<std::string> words;     // folded
    std::vector<std::string> spelling;  // as written, one per word; compared when exact_case
    bool exact_case = false;
    FieldSet fields = k_default_fields;
    std::size_t offset = 0;  // in the query text
    std::string term;        // how a match reports it: "indictment", "unit 61398", "=PLA", "cyber*"
};

struct Node {
    enum class Kind { leaf, all_of, any_of, negation, near };
    Kind kind = Kind::leaf;
    std::size_t leaf = 0;         // index into Query::leaves() for leaf
    std::vector<Node> children;   // all_of, any_of: two or more; negation: one; near: two leaves
    unsigned distance = 0;        // near: most words allowed between the two
};

class Query {
public:
    // Fails with the byte offset of the problem: unbalanced parentheses, an operator without
    // an operand, an unknown field, a term without letters or digits, or a query that would
    // match every article (only negated terms).
    static tl::expected<Query, QueryError> parse(std::string_view text);

    const std::string& text() const { return m_text; }
    const Node& root() const { return m_root; }
    const std::vector<Leaf>& leaves() const { return m_leaves; }

private:
    friend class QueryParser;
    std::string m_text;
    Node m_root;
    std::vector<Leaf> m_leaves;
};

}  // namespace feedwatch::match
