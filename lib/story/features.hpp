#pragma once
// What the grouper keeps of an article: weighted terms and a near-duplicate signature,
// computed once per article. Pure: no I/O.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace feedwatch::story {

// Bands of the MinHash signature of the article text; two articles whose texts share most
// of their three-word shingles (a wire report reprinted under another headline) share
// several bands.
inline constexpr std::size_t k_signature_bands = 8;
using Signature = std::array<std::uint64_t, k_signature_bands>;

// A term's number in the extractor's vocabulary (FeatureExtractor::term).
using TermId = std::uint32_t;
inline constexpr TermId k_dropped_term = 0xffffffffU;  // FeatureExtractor::retain(): not kept

// A term (an English stem, or a number or identifier as written) and its weight in this
// article before IDF: sublinear in its count, where it stands (title, lead, body) and what
// it is (a name, a number) raise it.
struct WeightedTerm {
    TermId term = 0;
    double weight = 0;
    bool entity = false;  // a name (capitalized inside sentences, never lower case) or a number
};

struct Features {
    std::vector<WeightedTerm> terms;  // one entry per distinct term, in first-seen order
    bool has_signature = false;       // false when the text is too short to fingerprint
    Signature signature{};            // 0 for a band left incomplete (too few shingles)
};

// An article's terms before they are numbered: what prepare() computes, with no shared
// state, so that the costly half of feature extraction (tokenize, fold, stem, shingle) can
// run on any thread while assignment stays serial.
struct PreparedTerm {
    std::string term;  // an English stem, or a number or identifier as written
    double weight = 0;
    bool entity = false;
};

struct PreparedArticle {
    std::vector<PreparedTerm> terms;  // one entry per distinct term, in first-seen order
    bool has_signature = false;
    Signature signature{};
};

// Weighted terms and the near-duplicate signature of title and plain text. Thread-safe: each
// thread keeps its own stemmer and word cache (thread_local, bounded). Deterministic: the
// result depends on the text only.
PreparedArticle prepare(std::string_view title, std::string_view text);

// Numbers the terms of prepared articles. Holds the vocabulary (term <-> id, grows with every
// new term), so it is not safe to share between threads; one per Grouper.
class FeatureExtractor {
public:
    FeatureExtractor();
    ~FeatureExtractor();
    FeatureExtractor(FeatureExtractor&&) noexcept;
    FeatureExtractor& operator=(FeatureExtractor&&) noexcept;

    // prepare() then number(): for one thread.
    Features extract(std::string_view title, std::string_view text);
    // The prepared article's terms as vocabulary ids (new terms get the next ids).
    Features number(const PreparedArticle& prepared);

    // The vocabulary: ids are dense, in order of first appearance.
    std::size_t vocabulary_size() const;
    const std::string& term(TermId id) const;
    // Adds a term (when restoring a saved vocabulary); returns its id, or nullopt if present.
    std::optional<TermId> add_term(const std::string& term);
    // Keeps the terms whose keep[id] is true (keep has vocabulary_size() entries), renumbered
    // densely in their old order; returns each old id's new id, or k_dropped_term.
    std::vector<TermId> retain(const std::vector<bool>& keep);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace feedwatch::story
