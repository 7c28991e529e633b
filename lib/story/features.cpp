#include "story/features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include <libstemmer.h>

#include "normalize/text.hpp"
#include "story/stop_words.hpp"
#include "story/term_table.hpp"

namespace feedwatch::story {
namespace {

// Where a word stands says how much it tells about the event: the headline names it, the
// lead (inverted pyramid) restates it, the rest of the body adds context.
constexpr double k_title_weight = 2.0;
constexpr double k_lead_weight = 1.5;
constexpr double k_body_weight = 1.0;
constexpr std::size_t k_lead_words = 60;
// Names and numbers tell two events of the same kind apart (two indictments share every word
// but the names, the place and the figures), so they count most.
constexpr double k_name_boost = 3.0;
constexpr double k_number_boost = 2.5;

constexpr std::size_t k_shingle_words = 3;
constexpr std::size_t k_minhash_rows = 4;   // per band
constexpr std::size_t k_min_shingles = 24;  // below this most bins stay empty

// Deterministic hashes (the signature is persisted, so std::hash is not an option).
std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

std::uint64_t mix(std::uint64_t value)
{
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27U)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31U);
}

bool has_digit(std::string_view word)
{
    return std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// True when the word at begin opens a sentence (or the text), where capitals say nothing.
bool sentence_initial(std::string_view text, std::size_t begin)
{
    while (begin > 0) {
        const char c = text[begin - 1];
        if (c == ' ' || c == '"' || c == '\'' || c == '(' || c == '\t') {
            --begin;
            continue;
        }
        if ((static_cast<unsigned char>(c) & 0x80) != 0) {
            --begin;  // typographic quotes and dashes: look further back
            continue;
        }
        return c == '.' || c == '!' || c == '?' || c == ':' || c == '\n' || c == '\r';
    }
    return true;
}

struct StemmerDeleter {
    void operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }
};

struct TermState {
    std::size_t count = 0;
    double position_weight = 0;
    bool number = false;
    bool capitalized = false;  // seen capitalized inside a sentence
    bool lower_case = false;   // seen in lower case anywhere
};

// The per-thread half of extraction: the stemmer, a bounded cache from folded words to stems
// (one table lookup per word instead of a stop-word search and a stem), and the per-article
// accumulation indexed by the stem's local number.
struct Preparer {
    static constexpr std::uint32_t k_stop = TermTable::k_absent - 1;  // a stop word in `words`
    static constexpr std::size_t k_max_cached = 200'000;

    std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer{sb_stemmer_new("english", "UTF_8")};
    TermTable words;  // folded word -> local stem number, or k_stop
    TermTable stems;  // stem (or number as written) -> local number, dense
    std::vector<std::uint64_t> stamp;
    std::vector<std::uint32_t> slot;
    std::uint64_t article = 0;

    void start_article()
    {
        ++article;
        if (words.size() >= k_max_cached || stems.size() >= k_max_cached) {
            words.clear();
            stems.clear();
        }
    }

    std::uint32_t number(std::string_view folded)
    {
        return stems.insert(folded, static_cast<std::uint32_t>(stems.size())).first;
    }

    // The local number of the word's stem, or k_stop.
    std::uint32_t word(std::string_view folded)
    {
        const std::uint32_t found = words.find(folded);
        if (found != TermTable::k_absent) {
            return found;
        }
        std::uint32_t local = k_stop;
        if (!is_stop_word(folded)) {
            local = stems.insert(stem(folded), static_cast<std::uint32_t>(stems.size())).first;
        }
        words.insert(folded, local);
        return local;
    }

    std::string_view stem(std::string_view folded)
    {
        if (stemmer) {
            const sb_symbol* out = sb_stemmer_stem(stemmer.get(), reinterpret_cast<const sb_symbol*>(folded.data()),
                                                   static_cast<int>(folded.size()));
            if (out != nullptr) {
                return {reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(stemmer.get()))};
            }
        }
        return folded;
    }
};

}  // namespace

PreparedArticle prepare(std::string_view title, std::string_view text)
{
    thread_local Preparer preparer;
    preparer.start_article();
    std::vector<std::pair<std::uint32_t, TermState>> states;
    states.reserve(128);

    const auto add = [&](std::string_view source, const normalize::WordScanner& token, double position_weight,
                         bool in_title) {
        const std::string_view folded = token.folded();
        if (folded.size() < 2) {
            return;
        }
        const bool number = has_digit(folded);
        // Numbers and identifiers ("61398", "6.1" is "6" and "1") stay as written.
        const std::uint32_t local = number ? preparer.number(folded) : preparer.word(folded);
        if (local == Preparer::k_stop) {
            return;
        }
        if (local >= preparer.stamp.size()) {
            preparer.stamp.resize(preparer.stems.size() + 1024, 0);
            preparer.slot.resize(preparer.stamp.size(), 0);
        }
        if (preparer.stamp[local] != preparer.article) {
            preparer.stamp[local] = preparer.article;
            preparer.slot[local] = static_cast<std::uint32_t>(states.size());
            states.emplace_back(local, TermState{});
        }
        TermState& state = states[preparer.slot[local]].second;
        ++state.count;
        state.position_weight = std::max(state.position_weight, position_weight);
        state.number = number;
        const unsigned char first = static_cast<unsigned char>(source[token.begin()]);
        if (first >= 'a' && first <= 'z') {
            state.lower_case = true;
        } else if (!in_title && first >= 'A' && first <= 'Z' && !sentence_initial(source, token.begin())) {
            state.capitalized = true;
        }
    };

    for (normalize::WordScanner token(title); token.next();) {
        add(title, token, k_title_weight, true);
    }
    // The body's words are read once; the signature below needs only their hashes.
    std::vector<std::uint64_t> body;
    body.reserve(text.size() / 6 + 1);
    for (normalize::WordScanner token(text); token.next();) {
        add(text, token, body.size() < k_lead_words ? k_lead_weight : k_body_weight, false);
        body.push_back(fnv1a(token.folded()));
    }

    PreparedArticle features;
    features.terms.reserve(states.size());
    for (auto& [local, state] : states) {
        double weight = (1.0 + std::log(static_cast<double>(state.count))) * state.position_weight;
        const bool name = !state.number && state.capitalized && !state.lower_case;
        if (state.number) {
            weight *= k_number_boost;
        } else if (name) {
            weight *= k_name_boost;
        }
        features.terms.push_back(PreparedTerm{preparer.stems.key(local), weight, state.number || name});
    }

    // MinHash over three-word shingles of the text, every word kept (reprints keep the wording),
    // by one-permutation hashing: one hash per shingle, its top bits pick the bin whose minimum
    // it competes for (Li, Owen, Zhang, NIPS 2012), which costs one hash instead of 32.
    if (body.size() >= k_shingle_words + k_min_shingles - 1) {
        constexpr std::size_t k_bins = k_signature_bands * k_minhash_rows;
        static_assert(k_bins == 32, "bins are picked by the top five bits");
        std::array<std::uint64_t, k_bins> minimum;
        minimum.fill(std::numeric_limits<std::uint64_t>::max());
        std::uint64_t previous = 0;
        std::uint64_t before_previous = 0;
        for (std::size_t i = 0; i < body.size(); ++i) {
            const std::uint64_t word = body[i];
            if (i + 1 >= k_shingle_words) {
                const std::uint64_t shingle = mix(before_previous ^ mix(previous ^ mix(word)));
                auto& slot = minimum[shingle >> 59U];
                slot = std::min<std::uint64_t>(slot, shingle & ((std::uint64_t{1} << 59U) - 1));
            }
            before_previous = previous;
            previous = word;
        }
        for (std::size_t band = 0; band < k_signature_bands; ++band) {
            std::uint64_t key = mix(band + 1);
            bool complete = true;
            for (std::size_t row = 0; row < k_minhash_rows; ++row) {
                const std::uint64_t value = minimum[band * k_minhash_rows + row];
                complete = complete && value != std::numeric_limits<std::uint64_t>::max();
                key = mix(key ^ value);
            }
            // A band with an empty bin would match every other short text with the same gap.
            features.signature[band] = complete ? (key == 0 ? 1 : key) : 0;
        }
        features.has_signature = true;
    }
    return features;
}

struct FeatureExtractor::Impl {
    TermTable vocabulary;  // term -> id; ids are the insertion order
};

FeatureExtractor::FeatureExtractor() : m_impl(std::make_unique<Impl>()) {}
FeatureExtractor::~FeatureExtractor() = default;
FeatureExtractor::FeatureExtractor(FeatureExtractor&&) noexcept = default;
FeatureExtractor& FeatureExtractor::operator=(FeatureExtractor&&) noexcept = default;

std::size_t FeatureExtractor::vocabulary_size() const
{
    return m_impl->vocabulary.size();
}

const std::string& FeatureExtractor::term(TermId id) const
{
    if (id >= m_impl->vocabulary.size()) {
        throw std::out_of_range("story: term id out of range");
    }
    return m_impl->vocabulary.key(id);
}

std::optional<TermId> FeatureExtractor::add_term(const std::string& term)
{
    const auto [id, inserted] = m_impl->vocabulary.insert(term, static_cast<TermId>(m_impl->vocabulary.size()));
    if (!inserted) {
        return std::nullopt;
    }
    return id;
}

std::vector<TermId> FeatureExtractor::retain(const std::vector<bool>& keep)
{
    TermTable kept;
    std::vector<TermId> renumbered(m_impl->vocabulary.size(), k_dropped_term);
    for (std::size_t id = 0; id < renumbered.size(); ++id) {
        if (keep[id]) {
            renumbered[id] = kept.insert(m_impl->vocabulary.key(id), static_cast<TermId>(kept.size())).first;
        }
    }
    m_impl->vocabulary = std::move(kept);
    return renumbered;
}

Features FeatureExtractor::number(const PreparedArticle& prepared)
{
    Features features;
    features.terms.reserve(prepared.terms.size());
    for (const auto& term : prepared.terms) {
        const TermId id = m_impl->vocabulary.insert(term.term, static_cast<TermId>(m_impl->vocabulary.size())).first;
        features.terms.push_back(WeightedTerm{id, term.weight, term.entity});
    }
    features.has_signature = prepared.has_signature;
    features.signature = prepared.signature;
    return features;
}

Features FeatureExtractor::extract(std::string_view title, std::string_view text)
{
    return number(prepare(title, text));
}

}  // namespace feedwatch::story
