// The indexed matcher against a deliberately simple evaluator: random queries over a small
// vocabulary of word forms, random titles and texts, the same verdict for every pair.
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <libstemmer.h>

#include "match/matcher.hpp"
#include "normalize/text.hpp"

namespace feedwatch::match {
namespace {

// Word forms that stem together, case variants, accents, a prefix family, numbers.
const std::vector<std::string> k_words = {"hack",   "hacker", "Hackers", "hacking", "china",   "China",   "CHINA",
                                          "unit",   "Unit",   "61398",   "PLA",     "pla",     "plant",   "planted",
                                          "sport",  "sports", "Sporting", "école",  "Ecole",   "ÉCOLES",  "indicted",
                                          "indictment", "cyber", "Cyberattack", "espionage", "the", "a"};
const std::vector<std::string> k_separators = {" ", " ", " ", ", ", "-", "\n", ". ", " — "};

// A brute-force evaluator: scans every token of every field for every leaf.
class Reference {
public:
    Reference() : m_stemmer(sb_stemmer_new("english", "UTF_8"), &sb_stemmer_delete) {}

    bool matches(const Query& query, const std::string& title, const std::string& text)
    {
        m_fields.clear();
        m_fields.push_back(Scanned{Field::title, title, normalize::tokenize(title)});
        m_fields.push_back(Scanned{Field::content, text, normalize::tokenize(text)});
        return evaluate(query, query.root());
    }

private:
    struct Scanned {
        Field field;
        std::string_view text;
        std::vector<normalize::Token> tokens;
    };
    struct Place {
        std::size_t field;
        std::size_t first;
        std::size_t last;
    };

    const std::string& stem(const std::string& word)
    {
        auto& known = m_stems[word];
        if (known.empty()) {
            known = stem_uncached(word);
        }
        return known;
    }

    std::string stem_uncached(const std::string& word)
    {
        const auto* out = sb_stemmer_stem(m_stemmer.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                                          static_cast<int>(word.size()));
        return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(m_stemmer.get())));
    }

    std::vector<Place> places(const Leaf& leaf)
    {
        std::vector<Place> out;
        for (std::size_t f = 0; f < m_fields.size(); ++f) {
            const auto& scanned = m_fields[f];
            if ((leaf.fields & field_bit(scanned.field)) == 0) {
                continue;
            }
            const auto& tokens = scanned.tokens;
            for (std::size_t i = 0; i < tokens.size(); ++i) {
                bool hit = false;
                if (leaf.kind == Leaf::Kind::word) {
                    hit = stem(tokens[i].folded) == stem(leaf.words[0]);
                } else if (leaf.kind == Leaf::Kind::prefix) {
                    hit = tokens[i].folded.rfind(leaf.words[0], 0) == 0;
                } else {
                    hit = i + leaf.words.size() <= tokens.size();
                    for (std::size_t k = 0; hit && k < leaf.words.size(); ++k) {
                        const auto& token = tokens[i + k];
                        hit = token.folded == leaf.words[k] &&
                              (!leaf.exact_case ||
                               scanned.text.substr(token.begin, token.end - token.begin) == leaf.spelling[k]);
                    }
                }
                if (hit) {
                    out.push_back(Place{f, i, leaf.kind == Leaf::Kind::phrase ? i + leaf.words.size() - 1 : i});
                }
            }
        }
        return out;
    }

    bool evaluate(const Query& query, const Node& node)
    {
        switch (node.kind) {
        case Node::Kind::leaf:
            return !places(query.leaves()[node.leaf]).empty();
        case Node::Kind::negation:
            return !evaluate(query, node.children[0]);
        case Node::Kind::all_of:
            for (const auto& child : node.children) {
                if (!evaluate(query, child)) {
                    return false;
                }
            }
            return true;
        case Node::Kind::any_of:
            for (const auto& child : node.children) {
                if (evaluate(query, child)) {
                    return true;
                }
            }
            return false;
        case Node::Kind::near:
            for (const auto& a : places(query.leaves()[node.children[0].leaf])) {
                for (const auto& b : places(query.leaves()[node.children[1].leaf])) {
                    if (a.field != b.field) {
                        continue;
                    }
                    if ((a.last < b.first && b.first - a.last - 1 <= node.distance) ||
                        (b.last < a.first && a.first - b.last - 1 <= node.distance)) {
                        return true;
                    }
                }
            }
            return false;
        }
        return false;
    }

    std::unique_ptr<sb_stemmer, decltype(&sb_stemmer_delete)> m_stemmer;
    std::vector<Scanned> m_fields;
    std::map<std::string, std::string> m_stems;  // a vocabulary of a few dozen words
};

class Generator {
public:
    explicit Generator(unsigned seed) : m_random(seed) {}

    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_random); }

    std::string word() { return k_words[below(k_words.size())]; }

    std::string text(std::size_t max_words)
    {
        std::string out;
        const std::size_t count = below(max_words + 1);
        for (std::size_t i = 0; i < count; ++i) {
            out += (i == 0 ? "" : k_separators[below(k_separators.size())]) + word();
        }
        return out;
    }

    std::string leaf()
    {
        std::string field;
        if (below(5) == 0) {
            field = below(2) == 0 ? "title:" : "content:";
        }
        switch (below(6)) {
        case 0:
            return field + "=" + word();
        case 1: {
            std::string prefix = normalize::fold(word());
            return field + prefix.substr(0, 1 + below(prefix.size())) + "*";
        }
        case 2:
            return field + "\"" + word() + " " + word() + "\"";
        default:
            return field + word();
        }
    }

    std::string query(int depth)
    {
        if (depth == 0 || below(3) == 0) {
            if (below(6) == 0) {
                return leaf() + " NEAR/" + std::to_string(below(4)) + " " + leaf();
            }
            return leaf();
        }
        switch (below(5)) {
        case 0:
            return query(depth - 1) + " OR " + query(depth - 1);
        case 1:
            return query(depth - 1) + " AND " + query(depth - 1);
        case 2:
            return "(" + query(depth - 1) + ") " + query(depth - 1);
        case 3:
            return query(depth - 1) + (below(2) == 0 ? " -" : " NOT ") + leaf();
        default:
            return "(" + query(depth - 1) + " OR " + query(depth - 1) + ")";
        }
    }

private:
    std::mt19937 m_random;
};

TEST(MatcherProperty, IndexedMatcherAgreesWithABruteForceEvaluator)
{
    Generator generate(20261128);
    Reference reference;
    std::size_t compared = 0;
    std::size_t matched = 0;
    for (int round = 0; round < 60; ++round) {
        std::vector<WatchlistSpec> specs;
        std::vector<Query> queries;
        while (specs.size() < 10) {
            auto query = Query::parse(generate.query(3));
            if (!query) {
                continue;  // only negated terms: rejected by design
            }
            queries.push_back(*query);
            specs.push_back(WatchlistSpec{"w" + std::to_string(specs.size()), std::move(*query), {}, "english", {}});
        }
        const Matcher matcher(std::move(specs));
        for (int article = 0; article < 20; ++article) {
            model::Item item;
            item.title = generate.text(6);
            item.text = generate.text(30);
            std::set<std::string> fired;
            for (const auto& hit : matcher.match(item)) {
                fired.insert(hit.watchlist);
                EXPECT_FALSE(hit.matches.empty()) << hit.watchlist;
                EXPECT_LE(hit.matches.size(), 3U);
            }
            for (std::size_t w = 0; w < queries.size(); ++w) {
                const bool expected = reference.matches(queries[w], item.title, item.text);
                const bool actual = fired.count("w" + std::to_string(w)) == 1;
                ASSERT_EQ(actual, expected) << "query: " << queries[w].text() << "\ntitle: " << item.title
                                            << "\ntext: " << item.text;
                matched += expected ? 1 : 0;
                ++compared;
            }
        }
    }
    EXPECT_EQ(compared, 12000U);
    // The vocabulary is small on purpose: both verdicts must be common for the test to mean anything.
    EXPECT_GT(matched, compared / 10);
    EXPECT_LT(matched, compared * 9 / 10);
}

}  // namespace
}  // namespace feedwatch::match
