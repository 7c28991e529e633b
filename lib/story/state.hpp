#pragma once
// The data behind a Grouper. Internal to lib/story: grouper.cpp runs the algorithm on it,
// snapshot.cpp saves and restores its persistent half (term statistics and stories); the
// indexes are rebuilt from the stories on restore.
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "story/features.hpp"
#include "story/grouper.hpp"

namespace feedwatch::story {

// A term indexed by this many open stories tells them apart no better than "said": lookups
// skip it, and its list stops growing (which bounds the cost of re-indexing a story).
inline constexpr std::size_t k_max_posting = 64;

using Handle = std::uint32_t;  // a story's number inside the grouper: creation order

struct CentroidTerm {
    TermId term = 0;
    double weight = 0;    // sum of the members' weights for the term, before IDF
    bool entity = false;  // a name or number in some member
};

struct Story {
    Handle handle = 0;
    std::string id;
    std::string first_title;
    core::Instant first_seen;
    core::Instant last_seen;
    std::size_t articles = 0;
    std::vector<std::string> outlets;
    std::vector<CentroidTerm> centroid;  // sorted by term, at most k_centroid_terms
    std::vector<TermId> index_terms;     // the terms the story is indexed under
    std::vector<std::uint64_t> bands;    // signature bands of its first few articles
};

struct Grouper::State {
    Options options;
    FeatureExtractor extractor;

    // Term statistics learned from the stream: document frequency per term of the
    // extractor's vocabulary (same ids; grown after each extract).
    std::vector<std::uint32_t> document_frequency;
    std::vector<double> log_document_frequency;  // log(df + 1), kept so that IDF costs no log() per use
    double log_articles = 0;                     // log(articles_seen + 1)
    std::size_t prune_above = 0;                 // with options.max_vocabulary: when to cut next
    std::uint64_t articles_seen = 0;
    core::Instant clock{};  // latest arrival seen

    std::unordered_map<Handle, Story> stories;  // open stories (a tree walk per candidate cost a cache miss per level)
    Handle next_handle = 0;

    // Derived from stories (rebuilt on restore).
    std::unordered_map<std::string, Handle> handles_by_id;
    std::vector<std::vector<Handle>> postings;  // by term id (grown with the vocabulary)
    std::unordered_map<std::uint64_t, std::vector<Handle>> band_owners;
    std::set<std::pair<core::Instant, Handle>> by_last_seen;

    // Cuts the vocabulary to at most half of options.max_vocabulary (see Options), renumbering
    // the terms that stay everywhere they are used.
    void prune_vocabulary();

    // Adds the derived entries for a story already in stories.
    void index_story(const Story& story);
    void unindex_story(const Story& story);
    // Updates the derived entries of a story that just took an article: only the index terms
    // it lost or gained, the bands from old_bands on and its place by last_seen (removing and
    // adding back its id, every term and up to 64 bands per join was a tenth of assign()).
    void reindex_joined(const Story& story, const std::vector<TermId>& old_terms, std::size_t old_bands,
                        core::Instant old_last_seen);

private:
    void add_posting(TermId term, Handle handle);
    void remove_posting(TermId term, Handle handle);
    void add_band_owner(std::uint64_t band, Handle handle);
};

}  // namespace feedwatch::story
