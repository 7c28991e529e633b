#include "story/features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>

#include <libstemmer.h>

#include "normalize/text.hpp"
#include "story/stop_words.hpp"

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

}  // namespace

struct FeatureExtractor::Impl {
    std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer{sb_stemmer_new("english", "UTF_8")};
    std::unordered_map<std::string, TermId> ids;
    std::vector<std::string> terms;
    // folded word -> id of its stem: one lookup per word instead of stemming and interning.
    // Bounded: cleared when full (the vocabulary itself is kept).
    std::unordered_map<std::string, TermId> word_ids;
    static constexpr std::size_t k_max_cached_words = 200'000;
    // Per-article accumulation indexed by term id: stamp[id] == article means slot[id] is set.
    std::vector<std::uint64_t> stamp;
    std::vector<std::uint32_t> slot;
    std::uint64_t article = 0;

    TermId intern(const std::string& term)
    {
        const auto [found, inserted] = ids.try_emplace(term, static_cast<TermId>(terms.size()));
        if (inserted) {
            terms.push_back(term);
        }
        return found->second;
    }

    TermId word(const std::string& folded)
    {
        const auto found = word_ids.find(folded);
        if (found != word_ids.end()) {
            return found->second;
        }
        if (word_ids.size() >= k_max_cached_words) {
            word_ids.clear();
        }
        return word_ids.emplace(folded, intern(stem(folded))).first->second;
    }

    std::string stem(const std::string& folded)
    {
        std::string stemmed = folded;
        if (stemmer) {
            const sb_symbol* out = sb_stemmer_stem(stemmer.get(), reinterpret_cast<const sb_symbol*>(folded.data()),
                                                   static_cast<int>(folded.size()));
            if (out != nullptr) {
                stemmed.assign(reinterpret_cast<const char*>(out),
                               static_cast<std::size_t>(sb_stemmer_length(stemmer.get())));
            }
        }
        return stemmed;
    }
};

FeatureExtractor::FeatureExtractor() : m_impl(std::make_unique<Impl>()) {}
FeatureExtractor::~FeatureExtractor() = default;
FeatureExtractor::FeatureExtractor(FeatureExtractor&&) noexcept = default;
FeatureExtractor& FeatureExtractor::operator=(FeatureExtractor&&) noexcept = default;

std::size_t FeatureExtractor::vocabulary_size() const
{
    return m_impl->terms.size();
}

const std::string& FeatureExtractor::term(TermId id) const
{
    return m_impl->terms.at(id);
}

std::optional<TermId> FeatureExtractor::add_term(const std::string& term)
{
    const std::size_t before = m_impl->terms.size();
    const TermId id = m_impl->intern(term);
    if (m_impl->terms.size() == before) {
        return std::nullopt;
    }
    return id;
}

Features FeatureExtractor::extract(std::string_view title, std::string_view text)
{
    Impl& impl = *m_impl;
    ++impl.article;
    std::vector<std::pair<TermId, TermState>> states;

    const auto add = [&](std::string_view source, const normalize::Token& token, double position_weight,
                         bool in_title) {
        if (token.folded.size() < 2 || is_stop_word(token.folded)) {
            return;
        }
        const bool number = has_digit(token.folded);
        // Numbers and identifiers ("61398", "6.1" is "6" and "1") stay as written.
        const TermId term = number ? impl.intern(token.folded) : impl.word(token.folded);
        if (term >= impl.stamp.size()) {
            impl.stamp.resize(impl.terms.size() + 1024, 0);
            impl.slot.resize(impl.stamp.size(), 0);
        }
        if (impl.stamp[term] != impl.article) {
            impl.stamp[term] = impl.article;
            impl.slot[term] = static_cast<std::uint32_t>(states.size());
            states.emplace_back(term, TermState{});
        }
        TermState& state = states[impl.slot[term]].second;
        ++state.count;
        state.position_weight = std::max(state.position_weight, position_weight);
        state.number = number;
        const unsigned char first = static_cast<unsigned char>(source[token.begin]);
        if (first >= 'a' && first <= 'z') {
            state.lower_case = true;
        } else if (!in_title && first >= 'A' && first <= 'Z' && !sentence_initial(source, token.begin)) {
            state.capitalized = true;
        }
    };

    for (const auto& token : normalize::tokenize(title)) {
        add(title, token, k_title_weight, true);
    }
    const auto body = normalize::tokenize(text);
    for (std::size_t i = 0; i < body.size(); ++i) {
        add(text, body[i], i < k_lead_words ? k_lead_weight : k_body_weight, false);
    }

    Features features;
    features.terms.reserve(states.size());
    for (auto& [term, state] : states) {
        double weight = (1.0 + std::log(static_cast<double>(state.count))) * state.position_weight;
        const bool name = !state.number && state.capitalized && !state.lower_case;
        if (state.number) {
            weight *= k_number_boost;
        } else if (name) {
            weight *= k_name_boost;
        }
        features.terms.push_back(WeightedTerm{term, weight, state.number || name});
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
            const std::uint64_t word = fnv1a(body[i].folded);
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

}  // namespace feedwatch::story
