#include "story/stop_words.hpp"

#include <algorithm>
#include <array>

namespace feedwatch::story {
namespace {

// Sorted, for binary search. Reporting verbs ("said", "told") are here because every news
// article uses them; online IDF would learn that too, but only after many articles.
constexpr std::array<std::string_view, 165> k_stop_words{
    "a",         "about", "above",      "after",    "again",      "against", "ago",    "all",     "also",    "am",
    "an",        "and",   "any",        "are",      "around",     "as",      "at",     "be",      "because", "been",
    "before",    "being", "below",      "between",  "both",       "but",     "by",     "can",     "could",   "did",
    "do",        "does",  "doing",      "down",     "during",     "each",    "even",   "ever",    "every",   "few",
    "for",       "from",  "further",    "get",      "got",        "had",     "has",    "have",    "having",  "he",
    "her",       "here",  "hers",       "herself",  "him",        "himself", "his",    "how",     "however", "i",
    "if",        "in",    "into",       "is",       "it",         "its",     "itself", "just",    "last",    "least",
    "less",      "like",  "made",       "make",     "many",       "may",     "me",     "might",   "more",    "most",
    "much",      "must",  "my",         "myself",   "never",      "new",     "no",     "nor",     "not",     "now",
    "of",        "off",   "on",         "once",     "one",        "only",    "or",     "other",   "our",     "ours",
    "ourselves", "out",   "over",       "own",      "per",        "said",    "same",   "say",     "says",    "she",
    "should",    "since", "so",         "some",     "still",      "such",    "than",   "that",    "the",     "their",
    "theirs",    "them",  "themselves", "then",     "there",      "these",   "they",   "this",    "those",   "though",
    "through",   "to",    "told",       "too",      "under",      "until",   "up",     "upon",    "us",      "very",
    "was",       "we",    "well",       "were",     "what",       "when",    "where",  "whether", "which",   "while",
    "who",       "whom",  "whose",      "why",      "will",       "with",    "within", "without", "would",   "yet",
    "you",       "your",  "yours",      "yourself", "yourselves",
};

}  // namespace

bool is_stop_word(std::string_view folded)
{
    return std::binary_search(k_stop_words.begin(), k_stop_words.end(), folded);
}

}  // namespace feedwatch::story
