#include "story/grouper.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "story/state.hpp"

namespace feedwatch::story {
namespace {

// A story's centroid keeps its strongest terms only: enough to describe an event, bounded
// memory per story however many articles join it.
constexpr std::size_t k_centroid_terms = 100;
// A story is indexed under its most distinctive terms; an article looks up its own.
constexpr std::size_t k_index_terms = 12;
constexpr std::size_t k_query_terms = 20;
// Stories scored by full cosine per article: the best by shared index terms.
constexpr std::size_t k_candidates = 8;
// Signature bands kept per story: its first articles' bands (the wire original and copies).
constexpr std::size_t k_max_bands = 8 * k_signature_bands;
// Bands an article must share with one story to count as a near copy of it: one shared band
// happens by chance at moderate overlap, two at once only for copies (see features.cpp).
constexpr std::size_t k_near_duplicate_bands = 2;
constexpr std::size_t k_max_outlets = 32;
// Similarity = this share of the cosine over all terms plus the rest of the cosine over names
// and numbers only: two events of one kind share their words, not their names.
constexpr double k_words_share = 0.5;

struct WeightedId {
    TermId term = 0;
    double weight = 0;  // after IDF
    bool entity = false;
};

struct RawTerm {
    TermId term = 0;
    double weight = 0;  // before IDF
    bool entity = false;
    bool operator<(const RawTerm& other) const { return term < other.term; }
};

// Smoothed IDF from the articles seen so far: log((N + 1) / (df + 1)) + 1.
double idf(const Grouper::State& state, TermId term)
{
    return state.log_articles - state.log_document_frequency[term] + 1.0;
}

// Cosine between a vector sorted by term and a centroid (IDF applied now, so that a story
// formed early is judged with what the stream has taught since).
struct ArticleVector {
    std::vector<WeightedId> terms;  // sorted by term
    double norm = 0;                // squared, over all terms
    double entity_norm = 0;         // squared, over names and numbers
};

double cosine(const Grouper::State& state, const ArticleVector& vector, const std::vector<CentroidTerm>& centroid)
{
    const auto& article = vector.terms;
    const double article_norm = vector.norm;
    const double article_entity_norm = vector.entity_norm;
    double dot = 0;
    double norm = 0;
    double entity_dot = 0;
    double entity_norm = 0;
    auto a = article.begin();
    for (const auto& entry : centroid) {
        const double weight = entry.weight * idf(state, entry.term);
        norm += weight * weight;
        if (entry.entity) {
            entity_norm += weight * weight;
        }
        while (a != article.end() && a->term < entry.term) {
            ++a;
        }
        if (a != article.end() && a->term == entry.term) {
            dot += a->weight * weight;
            if (a->entity && entry.entity) {
                entity_dot += a->weight * weight;
            }
        }
    }
    const double all = norm > 0 && article_norm > 0 ? dot / std::sqrt(norm * article_norm) : 0;
    // Without names or numbers on one side, the words alone decide.
    if (entity_norm <= 0 || article_entity_norm <= 0) {
        return all;
    }
    const double entities = entity_dot / std::sqrt(entity_norm * article_entity_norm);
    return k_words_share * all + (1 - k_words_share) * entities;
}

// The story's terms ranked by weight after IDF, strongest first.
std::vector<CentroidTerm> ranked(const Grouper::State& state, const std::vector<CentroidTerm>& centroid)
{
    std::vector<CentroidTerm> out = centroid;
    std::vector<std::pair<double, std::size_t>> order;
    order.reserve(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        order.emplace_back(out[i].weight * idf(state, out[i].term), i);
    }
    const auto stronger = [&](const auto& left, const auto& right) {
        return left.first != right.first ? left.first > right.first : out[left.second].term < out[right.second].term;
    };
    if (order.size() > k_centroid_terms) {
        std::nth_element(order.begin(), order.begin() + k_centroid_terms, order.end(), stronger);
        order.resize(k_centroid_terms);
    }
    std::sort(order.begin(), order.end(), stronger);
    std::vector<CentroidTerm> result;
    result.reserve(out.size());
    for (const auto& [score, i] : order) {
        result.push_back(out[i]);
    }
    return result;
}

void refresh_centroid_and_index(Grouper::State& state, Story& story)
{
    std::vector<CentroidTerm> strongest = ranked(state, story.centroid);
    if (strongest.size() > k_centroid_terms) {
        strongest.resize(k_centroid_terms);
    }
    story.index_terms.clear();
    for (std::size_t i = 0; i < strongest.size() && i < k_index_terms; ++i) {
        story.index_terms.push_back(strongest[i].term);
    }
    std::sort(strongest.begin(), strongest.end(),
              [](const CentroidTerm& left, const CentroidTerm& right) { return left.term < right.term; });
    story.centroid = std::move(strongest);
}

void add_to_centroid(Story& story, const std::vector<RawTerm>& terms)
{
    std::vector<CentroidTerm> merged;
    merged.reserve(story.centroid.size() + terms.size());
    auto c = story.centroid.begin();
    auto t = terms.begin();
    while (c != story.centroid.end() || t != terms.end()) {
        if (t == terms.end() || (c != story.centroid.end() && c->term < t->term)) {
            merged.push_back(*c++);
        } else if (c == story.centroid.end() || t->term < c->term) {
            merged.push_back(CentroidTerm{t->term, t->weight, t->entity});
            ++t;
        } else {
            merged.push_back(CentroidTerm{c->term, c->weight + t->weight, c->entity || t->entity});
            ++c;
            ++t;
        }
    }
    story.centroid = std::move(merged);
}

void close_story(Grouper::State& state, std::unordered_map<Handle, Story>::iterator it,
                 std::vector<std::string>& closed)
{
    state.unindex_story(it->second);
    closed.push_back(it->second.id);
    state.stories.erase(it);
}

}  // namespace

void Grouper::State::add_posting(TermId term, Handle handle)
{
    if (term >= postings.size()) {
        postings.resize(std::max<std::size_t>(term + 1, postings.size() * 2));
    }
    auto& list = postings[term];
    if (list.size() < k_max_posting) {
        list.push_back(handle);  // a full list is skipped by lookups, so it need not grow
    }
}

void Grouper::State::remove_posting(TermId term, Handle handle)
{
    if (term < postings.size()) {
        auto& list = postings[term];
        list.erase(std::remove(list.begin(), list.end(), handle), list.end());
    }
}

void Grouper::State::add_band_owner(std::uint64_t band, Handle handle)
{
    auto& owners = band_owners[band];
    if (std::find(owners.begin(), owners.end(), handle) == owners.end()) {
        owners.push_back(handle);
    }
}

void Grouper::State::index_story(const Story& story)
{
    handles_by_id.emplace(story.id, story.handle);
    for (TermId term : story.index_terms) {
        add_posting(term, story.handle);
    }
    for (std::uint64_t band : story.bands) {
        add_band_owner(band, story.handle);
    }
    by_last_seen.emplace(story.last_seen, story.handle);
}

void Grouper::State::unindex_story(const Story& story)
{
    handles_by_id.erase(story.id);
    for (TermId term : story.index_terms) {
        remove_posting(term, story.handle);
    }
    for (std::uint64_t band : story.bands) {
        const auto found = band_owners.find(band);
        if (found == band_owners.end()) {
            continue;
        }
        auto& owners = found->second;
        owners.erase(std::remove(owners.begin(), owners.end(), story.handle), owners.end());
        if (owners.empty()) {
            band_owners.erase(found);
        }
    }
    by_last_seen.erase({story.last_seen, story.handle});
}

void Grouper::State::reindex_joined(const Story& story, const std::vector<TermId>& old_terms, std::size_t old_bands,
                                    core::Instant old_last_seen)
{
    const auto has = [](const std::vector<TermId>& terms, TermId term) {
        return std::find(terms.begin(), terms.end(), term) != terms.end();
    };
    for (TermId term : old_terms) {
        if (!has(story.index_terms, term)) {
            remove_posting(term, story.handle);
        }
    }
    for (TermId term : story.index_terms) {
        if (!has(old_terms, term)) {
            add_posting(term, story.handle);
        }
    }
    for (std::size_t i = old_bands; i < story.bands.size(); ++i) {
        add_band_owner(story.bands[i], story.handle);
    }
    if (old_last_seen != story.last_seen) {
        by_last_seen.erase({old_last_seen, story.handle});
        by_last_seen.emplace(story.last_seen, story.handle);
    }
}

Grouper::Grouper(Options options) : m_state(std::make_unique<State>())
{
    m_state->options = options;
}

Grouper::Grouper(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Grouper::~Grouper() = default;
Grouper::Grouper(Grouper&&) noexcept = default;
Grouper& Grouper::operator=(Grouper&&) noexcept = default;

const Options& Grouper::options() const
{
    return m_state->options;
}

std::size_t Grouper::open_stories() const
{
    return m_state->stories.size();
}

std::size_t Grouper::vocabulary_size() const
{
    return m_state->extractor.vocabulary_size();
}

std::vector<std::string> Grouper::close_idle(core::Instant now)
{
    State& state = *m_state;
    state.clock = std::max(state.clock, now);
    std::vector<std::string> closed;
    while (!state.by_last_seen.empty()) {
        const auto [last_seen, handle] = *state.by_last_seen.begin();
        if (last_seen + state.options.window >= state.clock) {
            break;
        }
        close_story(state, state.stories.find(handle), closed);
    }
    return closed;
}

Assignment Grouper::assign(const ArticleInput& article)
{
    return assign(article, prepare(article.title, article.text));
}

Assignment Grouper::assign(const ArticleInput& article, const PreparedArticle& prepared)
{
    State& state = *m_state;
    Assignment assignment;
    assignment.closed = close_idle(article.arrived);

    const Features features = state.extractor.number(prepared);
    std::vector<RawTerm> raw;  // before IDF, sorted by term
    raw.reserve(features.terms.size());
    state.document_frequency.resize(state.extractor.vocabulary_size(), 0);
    state.log_document_frequency.resize(state.extractor.vocabulary_size(), 0.0);
    for (const auto& term : features.terms) {
        raw.push_back(RawTerm{term.term, term.weight, term.entity});
    }
    std::sort(raw.begin(), raw.end());
    ArticleVector vector;
    vector.terms.reserve(raw.size());
    for (const auto& term : raw) {
        const double weight = term.weight * idf(state, term.term);
        vector.terms.push_back(WeightedId{term.term, weight, term.entity});
        vector.norm += weight * weight;
        vector.entity_norm += term.entity ? weight * weight : 0;
    }

    // Candidates: stories sharing the article's most distinctive terms, by summed weight.
    // Scratch buffers reused from article to article (a Grouper has one caller at a time).
    thread_local std::vector<WeightedId> query;
    thread_local std::vector<std::pair<Handle, double>> hits;
    thread_local std::vector<std::pair<double, Handle>> candidates;
    query.assign(vector.terms.begin(), vector.terms.end());
    hits.clear();
    candidates.clear();
    const std::size_t query_size = std::min(query.size(), k_query_terms);
    std::partial_sort(query.begin(), query.begin() + static_cast<std::ptrdiff_t>(query_size), query.end(),
                      [](const WeightedId& left, const WeightedId& right) {
                          return left.weight != right.weight ? left.weight > right.weight : left.term < right.term;
                      });
    // (story, weight) per posting entry, summed per story after a sort: no per-story nodes.
    for (std::size_t i = 0; i < query_size; ++i) {
        if (query[i].term >= state.postings.size()) {
            continue;
        }
        const auto& posting = state.postings[query[i].term];
        if (posting.size() >= k_max_posting) {
            continue;
        }
        for (Handle handle : posting) {
            hits.emplace_back(handle, query[i].weight);
        }
    }
    std::sort(hits.begin(), hits.end(), [](const auto& left, const auto& right) { return left.first < right.first; });
    for (std::size_t i = 0; i < hits.size();) {
        double score = 0;
        const Handle handle = hits[i].first;
        for (; i < hits.size() && hits[i].first == handle; ++i) {
            score += hits[i].second;
        }
        candidates.emplace_back(score, handle);
    }
    const std::size_t candidate_count = std::min(candidates.size(), k_candidates);
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(candidate_count),
                      candidates.end(), [](const auto& left, const auto& right) {
                          return left.first != right.first ? left.first > right.first : left.second < right.second;
                      });
    candidates.resize(candidate_count);

    // Near copies: stories sharing at least two signature bands with the article.
    std::optional<Handle> copy_of;
    if (features.has_signature) {
        thread_local std::vector<std::pair<Handle, std::size_t>> bands_shared;  // a handful of owners
        bands_shared.clear();
        for (std::uint64_t band : features.signature) {
            if (band == 0) {
                continue;
            }
            const auto found = state.band_owners.find(band);
            if (found != state.band_owners.end()) {
                for (Handle handle : found->second) {
                    const auto owner = std::find_if(bands_shared.begin(), bands_shared.end(),
                                                    [&](const auto& entry) { return entry.first == handle; });
                    if (owner == bands_shared.end()) {
                        bands_shared.emplace_back(handle, 1);
                    } else {
                        ++owner->second;
                    }
                }
            }
        }
        std::size_t best = 0;
        for (const auto& [handle, count] : bands_shared) {
            if (count >= k_near_duplicate_bands && (count > best || (count == best && handle < *copy_of))) {
                best = count;
                copy_of = handle;
            }
        }
    }

    std::optional<Handle> chosen;
    double best_similarity = 0;
    for (const auto& [score, handle] : candidates) {
        const double similarity = cosine(state, vector, state.stories.at(handle).centroid);
        if (similarity > best_similarity || (similarity == best_similarity && chosen && handle < *chosen)) {
            best_similarity = similarity;
            chosen = handle;
        }
    }
    if (copy_of) {
        assignment.near_duplicate = true;
        chosen = copy_of;
        best_similarity = cosine(state, vector, state.stories.at(*copy_of).centroid);
    } else if (chosen && best_similarity < state.options.threshold) {
        chosen.reset();
    }
    assignment.similarity = best_similarity;

    // Learn the article's terms after judging it, so it is scored against the past only.
    for (const auto& term : raw) {
        const auto frequency = ++state.document_frequency[term.term];
        state.log_document_frequency[term.term] = std::log(static_cast<double>(frequency) + 1.0);
    }
    ++state.articles_seen;
    state.log_articles = std::log(static_cast<double>(state.articles_seen) + 1.0);

    Story* story = nullptr;
    std::vector<TermId> old_terms;
    std::size_t old_bands = 0;
    core::Instant old_last_seen{};
    if (chosen) {
        story = &state.stories.at(*chosen);
        old_terms = story->index_terms;
        old_bands = story->bands.size();
        old_last_seen = story->last_seen;
        assignment.outcome = Outcome::joined;
        story->articles += 1;
        story->last_seen = std::max(story->last_seen, article.arrived);
    } else {
        Story fresh;
        fresh.handle = state.next_handle++;
        fresh.id = std::string(article.id);
        for (int suffix = 2; state.handles_by_id.count(fresh.id) != 0; ++suffix) {
            fresh.id =
                std::string(article.id) + "~" + std::to_string(suffix);  // ids are unique; never merge on a repeat
        }
        fresh.first_title = std::string(article.title);
        fresh.first_seen = article.arrived;
        fresh.last_seen = article.arrived;
        fresh.articles = 1;
        story = &state.stories.emplace(fresh.handle, std::move(fresh)).first->second;
        assignment.outcome = Outcome::started;
    }
    if (!article.source.empty() && story->outlets.size() < k_max_outlets &&
        std::find(story->outlets.begin(), story->outlets.end(), article.source) == story->outlets.end()) {
        story->outlets.emplace_back(article.source);
    }
    add_to_centroid(*story, raw);
    refresh_centroid_and_index(state, *story);
    if (features.has_signature && story->bands.size() < k_max_bands) {
        for (std::uint64_t band : features.signature) {
            if (band != 0) {
                story->bands.push_back(band);
            }
        }
    }
    if (assignment.outcome == Outcome::joined) {
        state.reindex_joined(*story, old_terms, old_bands, old_last_seen);
    } else {
        state.index_story(*story);
    }
    assignment.story = story->id;
    if (state.extractor.vocabulary_size() > std::max(state.options.max_vocabulary, state.prune_above)) {
        state.prune_vocabulary();
    }
    return assignment;
}

void Grouper::State::prune_vocabulary()
{
    const std::size_t size = extractor.vocabulary_size();
    std::vector<bool> keep(size, false);
    for (const auto& [handle, story] : stories) {
        for (const auto& term : story.centroid) {
            keep[term.term] = true;
        }
        for (const TermId term : story.index_terms) {
            keep[term] = true;
        }
    }
    // The smallest document frequency a term no story holds needs to stay, so that at most
    // half of max_vocabulary remains: count such terms by frequency, then drop from the rare end.
    const std::size_t target = options.max_vocabulary / 2;
    std::size_t kept = static_cast<std::size_t>(std::count(keep.begin(), keep.end(), true));
    std::vector<std::size_t> by_frequency;
    for (std::size_t term = 0; term < size; ++term) {
        if (!keep[term]) {
            const std::size_t frequency = document_frequency[term];
            if (frequency >= by_frequency.size()) {
                by_frequency.resize(frequency + 1, 0);
            }
            ++by_frequency[frequency];
            ++kept;
        }
    }
    std::size_t minimum = 0;
    while (kept > target && minimum < by_frequency.size()) {
        kept -= by_frequency[minimum++];
    }
    for (std::size_t term = 0; term < size; ++term) {
        keep[term] = keep[term] || document_frequency[term] >= minimum;
    }

    const std::vector<TermId> renumbered = extractor.retain(keep);
    std::vector<std::uint32_t> frequencies;
    std::vector<double> logs;
    std::vector<std::vector<Handle>> moved_postings(extractor.vocabulary_size());
    frequencies.reserve(extractor.vocabulary_size());
    logs.reserve(extractor.vocabulary_size());
    for (std::size_t term = 0; term < size; ++term) {
        if (renumbered[term] == k_dropped_term) {
            continue;
        }
        frequencies.push_back(document_frequency[term]);
        logs.push_back(log_document_frequency[term]);
        if (term < postings.size()) {
            moved_postings[renumbered[term]] = std::move(postings[term]);
        }
    }
    document_frequency = std::move(frequencies);
    log_document_frequency = std::move(logs);
    postings = std::move(moved_postings);
    // When open stories alone hold most of the allowed terms, wait until the vocabulary has
    // doubled before the next cut, so that cutting stays a rare, amortised cost.
    prune_above = 2 * extractor.vocabulary_size();
    // Renumbering keeps the old order, so centroids stay sorted by term.
    for (auto& [handle, story] : stories) {
        for (auto& term : story.centroid) {
            term.term = renumbered[term.term];
        }
        for (TermId& term : story.index_terms) {
            term = renumbered[term];
        }
    }
}

std::optional<StorySummary> Grouper::story(std::string_view id) const
{
    const auto found = m_state->handles_by_id.find(std::string(id));
    if (found == m_state->handles_by_id.end()) {
        return std::nullopt;
    }
    const Story& story = m_state->stories.at(found->second);
    return StorySummary{story.id, story.first_title, story.first_seen, story.last_seen, story.articles, story.outlets};
}

std::size_t Grouper::approximate_bytes_per_story() const
{
    const State& state = *m_state;
    if (state.stories.empty()) {
        return 0;
    }
    std::size_t bytes = 0;
    for (const auto& [handle, story] : state.stories) {
        bytes += sizeof(Story) + story.id.capacity() + story.first_title.capacity() +
                 story.centroid.capacity() * sizeof(CentroidTerm) + story.index_terms.capacity() * sizeof(TermId) +
                 story.bands.capacity() * sizeof(std::uint64_t);
        for (const auto& outlet : story.outlets) {
            bytes += sizeof(std::string) + outlet.capacity();
        }
        // One posting entry per index term, one owner entry per band, the id and time indexes
        // (hash and tree nodes counted at about 48 bytes each).
        bytes += story.index_terms.size() * sizeof(Handle) + story.bands.size() * (sizeof(Handle) + 48) + 3 * 48 +
                 sizeof(std::pair<const Handle, Story>);
    }
    return bytes / state.stories.size();
}

}  // namespace feedwatch::story
