#include "match/query.hpp"

#include <array>
#include <optional>
#include <utility>

#include "normalize/text.hpp"

namespace feedwatch::match {
namespace {

constexpr std::array<std::string_view, k_field_count> k_field_names = {"title",    "summary", "content", "author",
                                                                       "category", "feed",    "link"};
constexpr unsigned k_max_near = 100;
constexpr int k_max_depth = 64;

bool is_query_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool ends_element(char c) { return is_query_space(c) || c == '(' || c == ')' || c == '"'; }

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::optional<Field> field_named(std::string_view name)
{
    for (std::size_t i = 0; i < k_field_names.size(); ++i) {
        if (k_field_names[i] == name) {
            return static_cast<Field>(i);
        }
    }
    return std::nullopt;
}

std::string field_list()
{
    std::string out;
    for (const auto name : k_field_names) {
        out += out.empty() ? "" : ", ";
        out += name;
    }
    return out;
}

// "text" in double quotes. (Built with append: g++ 12 -O2 warns falsely on "\"" + s + "\"".)
std::string quoted(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('"');
    out.append(text);
    out.push_back('"');
    return out;
}

Node make_node(Node::Kind kind)
{
    Node node;
    node.kind = kind;
    return node;
}

tl::unexpected<QueryError> query_error(std::size_t offset, std::string message)
{
    return tl::unexpected<QueryError>(QueryError{offset, std::move(message)});
}

struct Lexeme {
    enum class Kind { open, close, and_op, or_op, not_op, minus, near, field, word, phrase, end };
    Lexeme(Kind lexeme_kind, std::size_t at, std::string_view content = {})
        : kind(lexeme_kind), offset(at), text(content)
    {
    }
    Kind kind = Kind::end;
    std::size_t offset = 0;
    std::string_view text;     // word or phrase content (without quotes and '=')
    bool exact_case = false;   // '=' before it
    bool prefix = false;       // word ended with '*'
    unsigned distance = 0;     // near
    Field field = Field::title;
};

tl::expected<std::vector<Lexeme>, QueryError> lex(std::string_view text)
{
    std::vector<Lexeme> out;
    std::size_t pos = 0;
    bool after_field = false;  // "link:https://x": no second field right after a field
    while (pos < text.size()) {
        const char c = text[pos];
        if (is_query_space(c)) {
            ++pos;
            after_field = false;
            continue;
        }
        const std::size_t start = pos;
        if (c == '(' || c == ')') {
            out.emplace_back(c == '(' ? Lexeme::Kind::open : Lexeme::Kind::close, start);
            ++pos;
            after_field = false;
            continue;
        }
        bool exact = false;
        if (c == '=') {
            exact = true;
            ++pos;
            if (pos == text.size() || is_query_space(text[pos]) || text[pos] == '(' || text[pos] == ')') {
                return query_error(start, "expected a word or phrase after '='");
            }
        } else if (c == '-' && !after_field) {
            ++pos;
            if (pos == text.size() || is_query_space(text[pos]) || text[pos] == ')') {
                return query_error(start, "expected a term after '-'");
            }
            out.emplace_back(Lexeme::Kind::minus, start);
            continue;
        }
        if (text[pos] == '"') {
            const std::size_t close = text.find('"', pos + 1);
            if (close == std::string_view::npos) {
                return query_error(pos, "unterminated quote");
            }
            Lexeme phrase{Lexeme::Kind::phrase, start, text.substr(pos + 1, close - pos - 1)};
            phrase.exact_case = exact;
            out.push_back(phrase);
            pos = close + 1;
            after_field = false;
            continue;
        }
        const std::size_t word_start = pos;
        while (pos < text.size() && !ends_element(text[pos])) {
            ++pos;
        }
        std::string_view word = text.substr(word_start, pos - word_start);
        if (!exact && !after_field) {
            const std::size_t colon = word.find(':');
            if (colon != std::string_view::npos && colon > 0) {
                const std::string_view name = word.substr(0, colon);
                bool letters = true;
                for (const char letter : name) {
                    letters = letters && is_ascii_letter(letter);
                }
                if (letters) {
                    const auto field = field_named(name);
                    if (!field) {
                        return query_error(start, "unknown field \"" + std::string(name) + ":\" (fields: " +
                                                      field_list() + ")");
                    }
                    Lexeme lexeme{Lexeme::Kind::field, start};
                    lexeme.field = *field;
                    out.push_back(lexeme);
                    pos = word_start + colon + 1;
                    after_field = true;
                    if (pos == text.size() || is_query_space(text[pos]) || text[pos] == ')') {
                        return query_error(start, "expected a term after \"" + std::string(name) + ":\"");
                    }
                    continue;
                }
            }
            if (word == "AND" || word == "OR" || word == "NOT") {
                out.emplace_back(word == "AND" ? Lexeme::Kind::and_op
                                               : (word == "OR" ? Lexeme::Kind::or_op : Lexeme::Kind::not_op),
                                 start);
                continue;
            }
            if (word.substr(0, 4) == "NEAR") {
                if (word.size() < 6 || word[4] != '/') {
                    return query_error(start, "NEAR needs a distance, as in NEAR/5");
                }
                unsigned distance = 0;
                for (const char digit : word.substr(5)) {
                    if (digit < '0' || digit > '9' || distance > k_max_near) {
                        return query_error(start, "NEAR needs a distance from 0 to " + std::to_string(k_max_near) +
                                                      ", as in NEAR/5");
                    }
                    distance = distance * 10 + static_cast<unsigned>(digit - '0');
                }
                if (distance > k_max_near) {
                    return query_error(start, "NEAR needs a distance from 0 to " + std::to_string(k_max_near) +
                                                  ", as in NEAR/5");
                }
                Lexeme near{Lexeme::Kind::near, start};
                near.distance = distance;
                out.push_back(near);
                continue;
            }
            if (word == "or" || word == "and" || word == "not" || word.substr(0, 5) == "near/") {
                std::string upper(word);
                for (char& letter : upper) {
                    letter = letter >= 'a' && letter <= 'z' ? static_cast<char>(letter - 'a' + 'A') : letter;
                }
                return query_error(start, "write the operator in capitals (" + upper + "), or quote the word (\"" +
                                              std::string(word) + "\")");
            }
        }
        after_field = false;
        Lexeme lexeme{Lexeme::Kind::word, start, word};
        lexeme.exact_case = exact;
        const std::size_t star = word.find('*');
        if (star != std::string_view::npos) {
            if (star + 1 != word.size() || exact) {
                return query_error(word_start + star, exact ? "'*' cannot follow an exact '=' term"
                                                            : "'*' is allowed only at the end of a word");
            }
            lexeme.prefix = true;
            lexeme.text = word.substr(0, star);
        }
        out.push_back(lexeme);
    }
    out.emplace_back(Lexeme::Kind::end, text.size());
    return out;
}

}  // namespace

std::string_view field_name(Field field) { return k_field_names[static_cast<std::size_t>(field)]; }

class QueryParser {
public:
    QueryParser(std::string_view text, std::vector<Lexeme> lexemes) : m_text(text), m_lexemes(std::move(lexemes)) {}

    tl::expected<Query, QueryError> run()
    {
        Query query;
        query.m_text = std::string(m_text);
        auto root = parse_or(k_default_fields, 0);
        if (!root) {
            return tl::unexpected(root.error());
        }
        if (peek().kind == Lexeme::Kind::close) {
            return query_error(peek().offset, "unexpected ')'");
        }
        if (peek().kind != Lexeme::Kind::end) {
            return query_error(peek().offset, "unexpected " + describe(peek()));  // not reached
        }
        query.m_root = std::move(*root);
        query.m_leaves = std::move(m_leaves);
        if (!has_positive(query.m_root)) {
            return query_error(0, "the query needs at least one term that is not negated");
        }
        return query;
    }

private:
    using NodeResult = tl::expected<Node, QueryError>;

    const Lexeme& peek() const { return m_lexemes[m_next]; }
    const Lexeme& take() { return m_lexemes[m_next++]; }

    static bool starts_operand(const Lexeme& lexeme)
    {
        switch (lexeme.kind) {
        case Lexeme::Kind::open:
        case Lexeme::Kind::not_op:
        case Lexeme::Kind::minus:
        case Lexeme::Kind::field:
        case Lexeme::Kind::word:
        case Lexeme::Kind::phrase:
            return true;
        default:
            return false;
        }
    }

    std::string describe(const Lexeme& lexeme) const
    {
        switch (lexeme.kind) {
        case Lexeme::Kind::close:
            return "')'";
        case Lexeme::Kind::and_op:
            return "AND";
        case Lexeme::Kind::or_op:
            return "OR";
        case Lexeme::Kind::near:
            return "NEAR";
        case Lexeme::Kind::end:
            return "end of query";
        default:
            return quoted(lexeme.text);
        }
    }

    // A query that cannot match an article without any word would match every article.
    bool has_positive(const Node& node) const
    {
        switch (node.kind) {
        case Node::Kind::leaf:
        case Node::Kind::near:
            return true;
        case Node::Kind::negation:
            return false;
        case Node::Kind::all_of:
            for (const auto& child : node.children) {
                if (has_positive(child)) {
                    return true;
                }
            }
            return false;
        case Node::Kind::any_of:
            for (const auto& child : node.children) {
                if (!has_positive(child)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    NodeResult parse_or(FieldSet fields, int depth)
    {
        auto first = parse_and(fields, depth);
        if (!first) {
            return first;
        }
        Node node = make_node(Node::Kind::any_of);
        node.children.push_back(std::move(*first));
        while (peek().kind == Lexeme::Kind::or_op) {
            const Lexeme& op = take();
            if (!starts_operand(peek())) {
                return query_error(op.offset, "expected a term after OR");
            }
            auto next = parse_and(fields, depth);
            if (!next) {
                return next;
            }
            node.children.push_back(std::move(*next));
        }
        return node.children.size() == 1 ? std::move(node.children.front()) : std::move(node);
    }

    NodeResult parse_and(FieldSet fields, int depth)
    {
        auto first = parse_unary(fields, depth);
        if (!first) {
            return first;
        }
        Node node = make_node(Node::Kind::all_of);
        node.children.push_back(std::move(*first));
        for (;;) {
            if (peek().kind == Lexeme::Kind::and_op) {
                const Lexeme& op = take();
                if (!starts_operand(peek())) {
                    return query_error(op.offset, "expected a term after AND");
                }
            } else if (!starts_operand(peek())) {
                break;
            }
            auto next = parse_unary(fields, depth);
            if (!next) {
                return next;
            }
            node.children.push_back(std::move(*next));
        }
        return node.children.size() == 1 ? std::move(node.children.front()) : std::move(node);
    }

    NodeResult parse_unary(FieldSet fields, int depth)
    {
        if (peek().kind == Lexeme::Kind::not_op || peek().kind == Lexeme::Kind::minus) {
            const Lexeme& op = take();
            if (!starts_operand(peek())) {
                return query_error(op.offset, op.kind == Lexeme::Kind::minus ? "expected a term after '-'"
                                                                              : "expected a term after NOT");
            }
            if (depth >= k_max_depth) {
                return query_error(op.offset, "query nested too deeply");
            }
            auto child = parse_unary(fields, depth + 1);
            if (!child) {
                return child;
            }
            if (child->kind == Node::Kind::negation) {
                return std::move(child->children.front());  // NOT NOT a is a
            }
            Node node = make_node(Node::Kind::negation);
            node.children.push_back(std::move(*child));
            return node;
        }
        return parse_near(fields, depth);
    }

    NodeResult parse_near(FieldSet fields, int depth)
    {
        auto left = parse_primary(fields, depth);
        if (!left || peek().kind != Lexeme::Kind::near) {
            return left;
        }
        const Lexeme& op = take();
        if (left->kind != Node::Kind::leaf) {
            return query_error(op.offset, "NEAR needs a word or phrase on each side");
        }
        if (peek().kind != Lexeme::Kind::word && peek().kind != Lexeme::Kind::phrase &&
            peek().kind != Lexeme::Kind::field) {
            return query_error(op.offset, "NEAR needs a word or phrase on each side");
        }
        auto right = parse_primary(fields, depth);
        if (!right) {
            return right;
        }
        if (right->kind != Node::Kind::leaf) {
            return query_error(op.offset, "NEAR needs a word or phrase on each side");
        }
        if (peek().kind == Lexeme::Kind::near) {
            return query_error(peek().offset, "NEAR cannot be chained; join two NEARs with AND");
        }
        Node node = make_node(Node::Kind::near);
        node.distance = op.distance;
        node.children.push_back(std::move(*left));
        node.children.push_back(std::move(*right));
        return node;
    }

    NodeResult parse_primary(FieldSet fields, int depth)
    {
        if (peek().kind == Lexeme::Kind::field) {
            const Lexeme& field = take();
            fields = field_bit(field.field);
            if (peek().kind != Lexeme::Kind::word && peek().kind != Lexeme::Kind::phrase &&
                peek().kind != Lexeme::Kind::open) {
                return query_error(field.offset, "expected a term after \"" +
                                                     std::string(field_name(field.field)) + ":\"");
            }
        }
        const Lexeme& lexeme = take();
        switch (lexeme.kind) {
        case Lexeme::Kind::open: {
            if (depth >= k_max_depth) {
                return query_error(lexeme.offset, "query nested too deeply");
            }
            if (peek().kind == Lexeme::Kind::close) {
                return query_error(lexeme.offset, "empty parentheses");
            }
            auto inner = parse_or(fields, depth + 1);
            if (!inner) {
                return inner;
            }
            if (peek().kind != Lexeme::Kind::close) {
                if (peek().kind == Lexeme::Kind::end) {
                    return query_error(lexeme.offset, "missing ')' for this '('");
                }
                return query_error(peek().offset, "unexpected " + describe(peek()));
            }
            take();
            return inner;
        }
        case Lexeme::Kind::word:
        case Lexeme::Kind::phrase:
            return leaf(lexeme, fields);
        case Lexeme::Kind::close:
            return query_error(lexeme.offset, "unexpected ')'");
        case Lexeme::Kind::end:
            return query_error(lexeme.offset, m_next == 1 ? "empty query" : "expected a term at the end");
        default:
            return query_error(lexeme.offset, "expected a term before " + describe(lexeme));
        }
    }

    NodeResult leaf(const Lexeme& lexeme, FieldSet fields)
    {
        Leaf leaf;
        leaf.fields = fields;
        leaf.offset = lexeme.offset;
        leaf.exact_case = lexeme.exact_case;
        for (auto& token : normalize::tokenize(lexeme.text)) {
            leaf.spelling.emplace_back(lexeme.text.substr(token.begin, token.end - token.begin));
            leaf.words.push_back(std::move(token.folded));
        }
        if (leaf.words.empty()) {
            if (lexeme.kind == Lexeme::Kind::phrase) {
                return query_error(lexeme.offset, "empty phrase");
            }
            return query_error(lexeme.offset,
                               "term \"" + std::string(lexeme.text) + (lexeme.prefix ? "*" : "") +
                                   "\" has no letters or digits");
        }
        if (lexeme.prefix) {
            if (leaf.words.size() != 1 || leaf.spelling.front().size() != lexeme.text.size()) {
                return query_error(lexeme.offset, "a prefix* must be one word of letters and digits");
            }
            leaf.kind = Leaf::Kind::prefix;
            leaf.term = leaf.words.front() + "*";
        } else if (lexeme.kind == Lexeme::Kind::word && leaf.words.size() == 1 && !leaf.exact_case) {
            leaf.kind = Leaf::Kind::word;
            leaf.term = leaf.words.front();
        } else {
            leaf.kind = Leaf::Kind::phrase;
            const auto& source = leaf.exact_case ? leaf.spelling : leaf.words;
            if (leaf.exact_case) {
                leaf.term.push_back('=');
            }
            for (std::size_t i = 0; i < source.size(); ++i) {
                if (i > 0) {
                    leaf.term.push_back(' ');
                }
                leaf.term.append(source[i]);
            }
        }
        Node node = make_node(Node::Kind::leaf);
        node.leaf = m_leaves.size();
        m_leaves.push_back(std::move(leaf));
        return node;
    }

    std::string_view m_text;
    std::vector<Lexeme> m_lexemes;
    std::size_t m_next = 0;
    std::vector<Leaf> m_leaves;
};

tl::expected<Query, QueryError> Query::parse(std::string_view text)
{
    auto lexemes = lex(text);
    if (!lexemes) {
        return tl::unexpected(lexemes.error());
    }
    if (lexemes->size() == 1) {
        return query_error(0, "empty query");
    }
    return QueryParser(text, std::move(*lexemes)).run();
}

}  // namespace feedwatch::match
