#include "match/matcher.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <climits>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <libstemmer.h>

#include "normalize/text.hpp"

namespace feedwatch::match {
namespace {

constexpr std::size_t k_max_matches = 3;
constexpr std::size_t k_snippet_bytes = 160;
constexpr std::uint32_t k_value_gap = 1000;        // positions between two categories: no phrase or NEAR spans them
constexpr std::size_t k_token_cache_limit = 1U << 17;  // distinct words remembered (stems, candidates)
constexpr std::uint32_t k_no_stem = UINT32_MAX;          // the word's stem is no watchlist's
constexpr std::uint32_t k_no_key = (1U << 24) - 1;  // a trigger that is no single word of the article
constexpr std::size_t k_max_keys = k_no_key;         // distinct words an article may have to use the index
constexpr std::uint32_t k_not_relevant = UINT32_MAX;  // a word no watchlist's query asks about

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

struct StemmerDeleter {
    void operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }
};
using StemmerPtr = std::unique_ptr<sb_stemmer, StemmerDeleter>;

StemmerPtr make_stemmer(std::string_view language)
{
    return StemmerPtr(sb_stemmer_new(std::string(language).c_str(), "UTF_8"));
}

std::string stem(sb_stemmer& stemmer, std::string_view word)
{
    const auto* stemmed =
        sb_stemmer_stem(&stemmer, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (stemmed == nullptr) {
        return std::string(word);  // out of memory inside libstemmer: the word itself still matches itself
    }
    return std::string(reinterpret_cast<const char*>(stemmed), static_cast<std::size_t>(sb_stemmer_length(&stemmer)));
}

std::uint64_t load64(const char* bytes)
{
    std::uint64_t value = 0;
    std::memcpy(&value, bytes, 8);
    return value;
}

std::uint32_t load32(const char* bytes)
{
    std::uint32_t value = 0;
    std::memcpy(&value, bytes, 4);
    return value;
}

// A 64-bit hash of a folded word under a seed, computed once per token: the article's table of
// distinct words and the matcher's word cache are both keyed by it, so no word is hashed twice.
// The tail is read as overlapping fixed-size loads (as wyhash does), never byte by byte.
std::uint64_t seeded_word_hash(std::string_view word, std::uint64_t seed)
{
    const char* bytes = word.data();
    const std::size_t size = word.size();
    std::uint64_t hash = seed;
    const auto mix = [&hash](std::uint64_t chunk) {
        hash = (hash ^ chunk) * 0xBF58476D1CE4E5B9ULL;
        hash ^= hash >> 31;
    };
    if (size >= 8) {
        std::size_t at = 0;
        for (; at + 8 <= size; at += 8) {
            mix(load64(bytes + at));
        }
        if (at < size) {
            mix(load64(bytes + size - 8));  // the last 8 bytes, overlapping the chunk before
        }
    } else if (size >= 4) {
        mix((static_cast<std::uint64_t>(load32(bytes)) << 32) | load32(bytes + size - 4));
    } else if (size > 0) {
        const auto byte = [bytes](std::size_t at) { return static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at])); };
        mix((byte(0) << 16) | (byte(size / 2) << 8) | byte(size - 1));
    }
    // The size in a round of its own: xor-ed into the first chunk, words of different sizes
    // whose overlapping loads differ by exactly the sizes' xor would collide under every seed.
    mix(size);
    hash = (hash ^ (hash >> 32)) * 0x94D049BB133111EBULL;
    return hash ^ (hash >> 29);
}

std::uint64_t word_hash(std::string_view word) { return seeded_word_hash(word, 0x9E3779B97F4A7C15ULL); }

constexpr std::uint32_t k_empty_slot = UINT32_MAX;

// One word of a field: where it is, and which of the article's relevant words it is.
struct Word {
    std::size_t begin;       // byte offsets in the field's text
    std::size_t end;
    std::uint32_t position;  // word position; jumps between values of a multi-valued field
    std::uint32_t key;       // the article's relevant word (see Document), or k_not_relevant
};

// One field of the article: its plain text and its words.
struct FieldText {
    std::string owned;
    std::string_view text;
    std::vector<Word> words;
};

struct Occurrence {
    std::uint8_t field;
    std::uint32_t token;
};

// Tokens [first, last] of one field.
struct Span {
    std::uint8_t field;
    std::uint32_t first;
    std::uint32_t last;
};

bool span_less(const Span& a, const Span& b) { return std::tie(a.field, a.first) < std::tie(b.field, b.first); }

// Everything about one article that matching needs, computed once. The article's distinct
// words are kept by word_hash in one table, as views into the text when it spells them folded
// already, else in one buffer of folded bytes. Only the relevant ones, those some watchlist's
// query can ask about (a word with a watchlist stem, a phrase word, a word with a watchlist
// prefix), become keys with occurrences: with few watchlists that is a handful of words per
// article, and the rest cost a table slot each.
struct Document {
    std::array<FieldText, k_field_count> fields;
    std::string folded_bytes;                       // distinct words the text does not spell folded, end to end
    struct Distinct {
        std::uint64_t hash;     // word_hash
        const char* in_text;    // the folded word in a field's text, or nullptr: in folded_bytes
        std::uint32_t offset;   // into folded_bytes
        std::uint32_t size;
        std::uint32_t key;      // its key when relevant, else k_not_relevant
    };
    std::vector<Distinct> distinct;                 // first-seen order
    std::vector<std::uint32_t> slots;               // open addressing by hash: into distinct, or k_empty_slot
    std::vector<std::uint32_t> distinct_of_word;    // every word of every field in order: into distinct
    std::vector<std::string_view> keys;             // relevant words, folded
    std::vector<std::uint32_t> occurrence_begin;    // per key, into occurrences; one more at the end
    std::vector<Occurrence> occurrences;            // grouped by key, each group in field order
    std::vector<std::vector<std::uint32_t>> stem_ids;  // [language][key]: a watchlist stem, or k_no_stem
    std::vector<std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>>> keys_by_stem;  // lazy: (stem, key) ascending
    std::unordered_map<std::uint64_t, std::string> snippets;  // by field and span: watchlists share them
    std::vector<std::uint32_t> phrase_keys;                   // scratch: the keys of a phrase's words

    Document(const model::Item& item, const FeedInfo& feed, std::size_t languages)
    {
        // Room for about as many words as the text can hold (one per 6 bytes, most are longer),
        // so that the tables seldom grow while they fill.
        std::size_t bytes = item.title.size() + item.summary.size() + std::max(item.text.size(), item.content.size()) +
                            item.author.size() + feed.title.size() + item.link.size();
        for (const auto& category : item.categories) {
            bytes += category.size() + 1;
        }
        const std::size_t words = bytes / 6 + 16;
        std::size_t capacity = 256;
        while (capacity < words) {
            capacity *= 2;
        }
        slots.assign(capacity, k_empty_slot);
        distinct.reserve(capacity / 2);
        distinct_of_word.reserve(words);
        auto& summary = fields[static_cast<std::size_t>(Field::summary)];
        auto& content = fields[static_cast<std::size_t>(Field::content)];
        scan(Field::title, item.title);
        // item.text is the plain text of content, or of summary when there is no content.
        const bool text_is_summary = item.content.empty() && !item.summary.empty();
        if (text_is_summary) {
            summary.owned = item.text.empty() ? normalize::strip_markup(item.summary) : std::string();
            scan(Field::summary, item.text.empty() ? std::string_view(summary.owned) : std::string_view(item.text));
        } else {
            summary.owned = normalize::strip_markup(item.summary);
            scan(Field::summary, summary.owned);
            content.owned = item.text.empty() ? normalize::strip_markup(item.content) : std::string();
            scan(Field::content, item.text.empty() ? std::string_view(content.owned) : std::string_view(item.text));
        }
        scan(Field::author, item.author);
        scan_values(Field::category, item.categories);
        scan(Field::feed, feed.title);
        scan(Field::link, item.link);
        stem_ids.resize(languages);
        keys_by_stem.resize(languages);
    }

    std::string_view folded(const Distinct& word) const
    {
        return word.in_text != nullptr ? std::string_view(word.in_text, word.size)
                                       : std::string_view(folded_bytes).substr(word.offset, word.size);
    }

    // Makes distinct word d a key (a relevant word); returns its key.
    std::uint32_t make_key(std::uint32_t d)
    {
        distinct[d].key = static_cast<std::uint32_t>(keys.size());
        keys.push_back(folded(distinct[d]));
        return distinct[d].key;
    }

    // Gives every word its key and groups the occurrences of each key, once the keys are made.
    void index_keys()
    {
        std::vector<std::uint32_t> next(keys.size() + 1, 0);
        std::size_t flat = 0;
        for (auto& field : fields) {
            for (auto& word : field.words) {
                word.key = distinct[distinct_of_word[flat++]].key;
                if (word.key != k_not_relevant) {
                    ++next[word.key + 1];
                }
            }
        }
        for (std::size_t k = 0; k < keys.size(); ++k) {
            next[k + 1] += next[k];
        }
        occurrence_begin = next;
        occurrences.resize(next.back());
        for (std::size_t f = 0; f < fields.size(); ++f) {
            const auto& words = fields[f].words;
            for (std::size_t i = 0; i < words.size(); ++i) {
                if (words[i].key != k_not_relevant) {
                    occurrences[next[words[i].key]++] = Occurrence{static_cast<std::uint8_t>(f), static_cast<std::uint32_t>(i)};
                }
            }
        }
    }

    // The keys (relevant words) whose stem in language is stem_id, as (stem_id, key) pairs.
    std::span<const std::pair<std::uint32_t, std::uint32_t>> keys_with_stem(std::size_t language,
                                                                            std::uint32_t stem_id)
    {
        auto& index = keys_by_stem[language];
        if (!index) {
            index.emplace();
            const auto& ids = stem_ids[language];
            for (std::uint32_t k = 0; k < ids.size(); ++k) {
                if (ids[k] != k_no_stem) {
                    index->emplace_back(ids[k], k);
                }
            }
            std::sort(index->begin(), index->end());
        }
        const auto range = std::equal_range(index->begin(), index->end(), std::pair(stem_id, std::uint32_t{0}),
                                            [](const auto& a, const auto& b) { return a.first < b.first; });
        return {range.first, range.second};
    }

    const std::string& snippet(const Span& span)
    {
        const std::uint64_t id = (static_cast<std::uint64_t>(span.field) << 56) |
                                 (static_cast<std::uint64_t>(span.first) << 28) | span.last;
        auto [slot, inserted] = snippets.try_emplace(id);
        if (inserted) {
            const FieldText& field = fields[span.field];
            slot->second = normalize::snippet(field.text, field.words[span.first].begin,
                                              field.words[span.last].end, k_snippet_bytes);
        }
        return slot->second;
    }

    std::span<const Occurrence> occurrences_of(std::uint32_t key) const
    {
        return std::span<const Occurrence>(occurrences).subspan(occurrence_begin[key],
                                                                 occurrence_begin[key + 1] - occurrence_begin[key]);
    }

    // The key of a relevant word of the article, if it occurs.
    std::optional<std::uint32_t> key_of(std::string_view folded_word) const
    {
        const std::uint32_t d = slots[probe(word_hash(folded_word), folded_word)];
        if (d == k_empty_slot || distinct[d].key == k_not_relevant) {
            return std::nullopt;
        }
        return distinct[d].key;
    }

    // Whether a word of this hash occurs (a hash collision may say yes: callers only narrow
    // down candidates with it).
    bool has_hash(std::uint64_t hash) const
    {
        const std::size_t mask = slots.size() - 1;
        for (std::size_t at = hash & mask; slots[at] != k_empty_slot; at = (at + 1) & mask) {
            if (distinct[slots[at]].hash == hash) {
                return true;
            }
        }
        return false;
    }

    std::string_view original(const Occurrence& at) const
    {
        const auto& word = fields[at.field].words[at.token];
        return fields[at.field].text.substr(word.begin, word.end - word.begin);
    }

private:
    // The slot of a word in slots: its entry, or the empty slot where it would go.
    std::size_t probe(std::uint64_t hash, std::string_view folded_word) const
    {
        const std::size_t mask = slots.size() - 1;
        std::size_t at = hash & mask;
        while (slots[at] != k_empty_slot &&
               (distinct[slots[at]].hash != hash || folded(distinct[slots[at]]) != folded_word)) {
            at = (at + 1) & mask;
        }
        return at;
    }

    void add_word(FieldText& field, std::string_view folded_word, bool in_text, std::size_t begin, std::size_t end,
                  std::uint32_t position)
    {
        const std::uint64_t hash = word_hash(folded_word);
        std::size_t at = probe(hash, folded_word);
        if (slots[at] == k_empty_slot) {
            if (2 * (distinct.size() + 1) > slots.size()) {
                grow();
                at = probe(hash, folded_word);
            }
            slots[at] = static_cast<std::uint32_t>(distinct.size());
            distinct.push_back(Distinct{hash, in_text ? folded_word.data() : nullptr,
                                        static_cast<std::uint32_t>(folded_bytes.size()),
                                        static_cast<std::uint32_t>(folded_word.size()), k_not_relevant});
            if (!in_text) {
                folded_bytes += folded_word;
            }
        }
        distinct_of_word.push_back(slots[at]);
        field.words.push_back(Word{begin, end, position, k_not_relevant});
    }

    void grow()
    {
        slots.assign(2 * slots.size(), k_empty_slot);
        const std::size_t mask = slots.size() - 1;
        for (std::uint32_t d = 0; d < distinct.size(); ++d) {
            std::size_t at = distinct[d].hash & mask;
            while (slots[at] != k_empty_slot) {
                at = (at + 1) & mask;
            }
            slots[at] = d;
        }
    }

    void scan(Field which, std::string_view text)
    {
        FieldText& field = fields[static_cast<std::size_t>(which)];
        field.text = text;
        field.words.reserve(text.size() / 6 + 1);
        normalize::WordScanner words(text);
        std::uint32_t position = 0;
        while (words.next()) {
            add_word(field, words.folded(), words.folded_in_text(), words.begin(), words.end(), position++);
        }
    }

    void scan_values(Field which, const std::vector<std::string>& values)
    {
        FieldText& field = fields[static_cast<std::size_t>(which)];
        for (const auto& value : values) {
            field.owned += field.owned.empty() ? "" : "\n";
            field.owned += value;
        }
        field.text = field.owned;
        std::size_t offset = 0;
        std::uint32_t position = 0;
        for (const auto& value : values) {
            normalize::WordScanner words(value);
            while (words.next()) {
                add_word(field, words.folded(), words.folded_in_text(), offset + words.begin(), offset + words.end(),
                         position++);
            }
            position += k_value_gap;
            offset += value.size() + 1;
        }
    }
};

bool in_fields(FieldSet fields, std::uint8_t field) { return (fields & (1U << field)) != 0; }

// What must occur in an article for a query to possibly match it.
struct Trigger {
    enum class Kind { folded, stem, prefix } kind;
    std::string key;       // folded, prefix
    std::uint32_t stem_id = k_no_stem;
    std::string also;      // folded: a second word that must occur too (a phrase's), or empty
};

}  // namespace

bool is_known_language(std::string_view language)
{
    return !language.empty() && make_stemmer(language) != nullptr;
}

std::vector<std::string> known_languages()
{
    std::vector<std::string> names;
    for (const char** name = sb_stemmer_list(); *name != nullptr; ++name) {
        names.emplace_back(*name);
    }
    return names;
}

namespace {

void positive_leaves(const Node& node, std::vector<std::size_t>& out)
{
    if (node.kind == Node::Kind::leaf) {
        out.push_back(node.leaf);
    } else if (node.kind != Node::Kind::negation) {
        for (const auto& child : node.children) {
            positive_leaves(child, out);
        }
    }
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> highlight(const Query& query, std::string_view language,
                                                           std::string_view text)
{
    auto stemmer = make_stemmer(language);
    if (!stemmer) {
        throw std::invalid_argument("unknown language " + std::string(language));
    }
    std::vector<std::size_t> leaves;
    positive_leaves(query.root(), leaves);
    const auto tokens = normalize::tokenize(text);
    std::vector<std::string> stems;
    for (const auto& token : tokens) {
        stems.push_back(stem(*stemmer, token.folded));
    }
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    for (const std::size_t index : leaves) {
        const Leaf& leaf = query.leaves()[index];
        const std::string leaf_stem = leaf.kind == Leaf::Kind::word ? stem(*stemmer, leaf.words.front()) : "";
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            std::size_t length = 0;
            if (leaf.kind == Leaf::Kind::word) {
                length = stems[i] == leaf_stem ? 1 : 0;
            } else if (leaf.kind == Leaf::Kind::prefix) {
                length = tokens[i].folded.rfind(leaf.words.front(), 0) == 0 ? 1 : 0;
            } else if (i + leaf.words.size() <= tokens.size()) {
                length = leaf.words.size();
                for (std::size_t k = 0; k < leaf.words.size() && length != 0; ++k) {
                    const auto& token = tokens[i + k];
                    if (token.folded != leaf.words[k] ||
                        (leaf.exact_case && text.substr(token.begin, token.end - token.begin) != leaf.spelling[k])) {
                        length = 0;
                    }
                }
            }
            if (length != 0) {
                ranges.emplace_back(tokens[i].begin, tokens[i + length - 1].end);
            }
        }
    }
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<std::size_t, std::size_t>> merged;
    for (const auto& range : ranges) {
        if (!merged.empty() && range.first <= merged.back().second) {
            merged.back().second = std::max(merged.back().second, range.second);
        } else {
            merged.push_back(range);
        }
    }
    return merged;
}

namespace {

struct Compiled {
    WatchlistSpec spec;
    std::size_t language = 0;
    std::vector<std::uint32_t> leaf_stems;  // per leaf: stem id of a word leaf, else k_no_stem
};

// A two-word condition (a phrase's two longest words), listed under one of its words: it
// holds when the other word, known by its word_hash, occurs in the article too.
struct PairCondition {
    std::uint32_t watchlist;
    std::uint64_t other_hash;
};

// A watchlist that one word of the article may trigger alone. A plain one (one word, every
// feed: most watchlists) is decided from the article's words and these fields, without
// reading anything else of the watchlist: 50,000 of them do not fit in the cache.
struct Candidate {
    std::uint32_t watchlist;
    FieldSet fields;  // plain: the word's fields
    bool plain;
};

// What the index says about one distinct word, as describe_token() finds it; the word cache
// keeps it packed.
struct TokenInfo {
    bool relevant = false;                    // some query may ask about this word (see Document)
    std::uint32_t first_stem_id = k_no_stem;  // in the first language: stem id, or k_no_stem
    std::vector<std::uint32_t> other_stem_ids;  // in the other languages
    std::vector<Candidate> candidates;          // ascending watchlists this word alone may trigger
    std::vector<PairCondition> pairs;           // two-word conditions listed under this word
};

// What the cache hands back for a relevant word: views into its pools.
struct WordFacts {
    std::uint32_t first_stem_id;
    std::span<const std::uint32_t> other_stem_ids;
    std::span<const Candidate> candidates;
    std::span<const PairCondition> pairs;
};

// The distinct words seen in articles and what the index says about each, in an open-addressing
// table keyed by word_hash (computed once per token by the Document). Most words are no
// query's: such a word is only its slot (its 64-bit hash, marked irrelevant), so looking it up
// reads one slot and nothing else. A relevant word has a 32-byte entry, identified by a second
// 64-bit hash (the same function under another seed), whose candidates and pairs sit in shared
// pools: 50,000 watchlists' words then take a few MB, not tens, and a lookup touches at most
// three cache lines.
// Trusting the hash for an irrelevant word means a relevant word whose 64-bit hash equals a
// cached irrelevant word's would be missed: about one chance in 2^64 per pair of words. Not
// thread-safe.
class WordCache {
public:
    // What find() says of a word.
    struct Found {
        bool known = false;               // false: not in the table yet
        std::optional<WordFacts> facts;   // when relevant
    };

    std::size_t size() const { return m_used; }

    void clear()
    {
        m_slots.clear();
        m_entries.clear();
        m_candidates.clear();
        m_pairs.clear();
        m_other_stem_ids.clear();
        m_used = 0;
    }

    Found find(std::uint64_t hash, std::string_view word) const
    {
        if (m_slots.empty()) {
            return {};
        }
        const std::size_t mask = m_slots.size() - 1;
        std::optional<std::uint64_t> check;
        for (std::size_t at = hash & mask; m_slots[at].entry != k_empty_slot; at = (at + 1) & mask) {
            const Slot& slot = m_slots[at];
            if (slot.hash != hash) {
                continue;
            }
            if (slot.entry == k_irrelevant) {
                return {true, std::nullopt};
            }
            if (!check) {
                check = check_hash(word);
            }
            if (m_entries[slot.entry].check == *check) {
                return {true, facts(m_entries[slot.entry])};
            }
        }
        return {};
    }

    // Start loading what find(hash, ...) will read, for lookups a few words ahead: the table is
    // larger than the CPU's caches, and its lookups are otherwise one miss after another.
    // Each stage reads what the one before loaded.
    void prefetch_slot(std::uint64_t hash) const
    {
        if (!m_slots.empty()) {
            __builtin_prefetch(&m_slots[hash & (m_slots.size() - 1)]);
        }
    }
    void prefetch_entry(std::uint64_t hash) const
    {
        if (const Entry* entry = home_entry(hash)) {
            __builtin_prefetch(entry);
        }
    }
    void prefetch_candidates(std::uint64_t hash) const
    {
        if (const Entry* entry = home_entry(hash); entry != nullptr && entry->candidate_count != 0) {
            __builtin_prefetch(&m_candidates[entry->candidates_begin]);
        }
    }

    // Adds word (not in the table); the views are valid until the next insert or clear.
    Found insert(std::uint64_t hash, std::string_view word, const TokenInfo& info)
    {
        if (2 * (m_used + 1) > m_slots.size()) {
            grow();
        }
        ++m_used;
        if (!info.relevant) {
            place(hash, k_irrelevant);
            return {true, std::nullopt};
        }
        const auto size = [](const auto& items) { return static_cast<std::uint32_t>(items.size()); };
        m_entries.push_back(Entry{check_hash(word), info.first_stem_id, size(m_candidates), size(info.candidates),
                                  size(m_pairs), size(info.pairs), size(m_other_stem_ids)});
        m_candidates.insert(m_candidates.end(), info.candidates.begin(), info.candidates.end());
        m_pairs.insert(m_pairs.end(), info.pairs.begin(), info.pairs.end());
        m_other_stem_ids.insert(m_other_stem_ids.end(), info.other_stem_ids.begin(), info.other_stem_ids.end());
        m_other_stem_count = info.other_stem_ids.size();
        place(hash, size(m_entries) - 1);
        return {true, facts(m_entries.back())};
    }

private:
    static constexpr std::uint32_t k_irrelevant = k_empty_slot - 1;
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t entry = k_empty_slot;  // into m_entries, or k_irrelevant, or k_empty_slot
    };
    struct Entry {
        std::uint64_t check;  // check_hash of the word
        std::uint32_t first_stem_id;
        std::uint32_t candidates_begin;
        std::uint32_t candidate_count;
        std::uint32_t pairs_begin;
        std::uint32_t pair_count;
        std::uint32_t other_stem_ids_begin;
    };

    // A second hash of the word, under another seed than word_hash: with both, a relevant
    // word is known by 128 bits, and its bytes need not be kept.
    static std::uint64_t check_hash(std::string_view word) { return seeded_word_hash(word, 0xD6E8FEB86659FD93ULL); }

    WordFacts facts(const Entry& entry) const
    {
        return WordFacts{entry.first_stem_id,
                         std::span<const std::uint32_t>(m_other_stem_ids).subspan(entry.other_stem_ids_begin, m_other_stem_count),
                         std::span<const Candidate>(m_candidates).subspan(entry.candidates_begin, entry.candidate_count),
                         std::span<const PairCondition>(m_pairs).subspan(entry.pairs_begin, entry.pair_count)};
    }

    // The entry in the word's home slot, if it is a relevant word's (no probing: for prefetches).
    const Entry* home_entry(std::uint64_t hash) const
    {
        if (m_slots.empty()) {
            return nullptr;
        }
        const Slot& slot = m_slots[hash & (m_slots.size() - 1)];
        return slot.hash == hash && slot.entry < k_irrelevant ? &m_entries[slot.entry] : nullptr;
    }

    void place(std::uint64_t hash, std::uint32_t entry)
    {
        const std::size_t mask = m_slots.size() - 1;
        std::size_t at = hash & mask;
        while (m_slots[at].entry != k_empty_slot) {
            at = (at + 1) & mask;
        }
        m_slots[at] = Slot{hash, entry};
    }

    void grow()
    {
        std::vector<Slot> old(std::max<std::size_t>(1024, 2 * m_slots.size()));
        old.swap(m_slots);
        for (const Slot& slot : old) {
            if (slot.entry != k_empty_slot) {
                place(slot.hash, slot.entry);
            }
        }
    }

    std::vector<Slot> m_slots;  // power of two, at most half full
    std::vector<Entry> m_entries;
    std::vector<Candidate> m_candidates;
    std::vector<PairCondition> m_pairs;
    std::vector<std::uint32_t> m_other_stem_ids;
    std::size_t m_other_stem_count = 0;  // per entry: the matcher's languages after the first
    std::size_t m_used = 0;
};

// A match found while evaluating: which node (leaf or near) and where.
struct Found {
    const Node* node;  // nullptr: the query's root (a one-word watchlist's hit, decided without its query)
    Span span;
};

// A watchlist that matched, before any text is copied: the matches an alert will show.
struct HitRecord {
    std::uint32_t watchlist;
    std::uint8_t shown_count;
    std::array<Found, k_max_matches> shown;
};

// Buffers reused across the candidates of one article, so that evaluating a watchlist
// allocates nothing once they have grown.
struct Scratch {
    std::vector<Found> found;
    std::vector<Span> left;
    std::vector<Span> right;
};

std::string term_of(const Compiled& compiled, const Node& node)
{
    const auto& leaves = compiled.spec.query.leaves();
    if (node.kind == Node::Kind::near) {
        return leaves[node.children[0].leaf].term + " NEAR/" + std::to_string(node.distance) + " " +
               leaves[node.children[1].leaf].term;
    }
    return leaves[node.leaf].term;
}

// Up to 3 matches to show: first one per term, then the same terms in other fields.
HitRecord choose_shown(std::uint32_t watchlist, const std::vector<Found>& found)
{
    HitRecord record{watchlist, 0, {}};
    const auto shown = std::span<const Found>(record.shown);
    const auto node_shown = [&](const Node* node) {
        return std::any_of(shown.begin(), shown.begin() + record.shown_count,
                           [node](const Found& entry) { return entry.node == node; });
    };
    const auto field_shown = [&](const Found& item) {
        return std::any_of(shown.begin(), shown.begin() + record.shown_count, [&item](const Found& entry) {
            return entry.node == item.node && entry.span.field == item.span.field;
        });
    };
    for (const auto& item : found) {
        if (record.shown_count < k_max_matches && !node_shown(item.node)) {
            record.shown[record.shown_count++] = item;
        }
    }
    for (const auto& item : found) {
        if (record.shown_count < k_max_matches && !field_shown(item)) {
            record.shown[record.shown_count++] = item;
        }
    }
    return record;
}

}  // namespace

struct Matches::State {
    State(const std::vector<Compiled>& compiled, const model::Item& item, const FeedInfo& feed, std::size_t languages)
        : watchlists(compiled), document(item, feed, languages)
    {
    }

    const std::vector<Compiled>& watchlists;
    Document document;  // views into the item: the item outlives Matches
    std::vector<HitRecord> hits;
};

struct Matcher::Impl {
    std::vector<Compiled> watchlists;
    // [watchlist]: what the candidate loop needs first, packed, so that the most common
    // watchlist (one word, every feed) is decided without reaching into its query.
    struct Shortcut {
        const Node* root;       // the query's root, for the matches a hit shows
        std::uint32_t stem_id;  // the query is this one word (stem id), or k_no_stem
        std::uint16_t language;
        FieldSet fields;        // of that word
        bool scoped;            // has a feeds scope
    };
    std::vector<Shortcut> shortcuts;
    std::vector<std::string> languages;
    std::vector<StemmerPtr> stemmers;  // guarded by cache_mutex
    // A watchlist is worth evaluating when one of its trigger conditions holds: one word, stem
    // or prefix, or for a phrase two of its words, seen in the article. The indexes below map
    // what a word of the article can be to the conditions it is part of.
    std::vector<std::uint32_t> condition_watchlist;  // [condition]: its watchlist
    StringMap<std::vector<std::uint32_t>> folded_index;  // one-word conditions
    StringMap<std::vector<PairCondition>> pair_index;   // two-word conditions, under their first word
    std::vector<StringMap<std::uint32_t>> stem_ids;          // [language]: stem of a word leaf -> stem id
    std::vector<std::vector<std::uint32_t>> stem_postings;  // [stem id]: conditions
    StringMap<std::vector<std::uint32_t>> prefix_index;
    std::vector<std::size_t> prefix_lengths;  // distinct, ascending
    // Every phrase word and prefix of every query, triggers or not: with the word leaves' stems
    // they say which words of an article a query may ask about (TokenInfo::relevant).
    StringMap<char> phrase_words;
    StringMap<char> leaf_prefixes;
    std::vector<std::size_t> leaf_prefix_lengths;  // distinct, ascending

    mutable std::mutex cache_mutex;
    mutable WordCache token_cache;

    explicit Impl(std::vector<WatchlistSpec> specs)
    {
        for (auto& spec : specs) {
            Compiled compiled;
            const auto known = std::find(languages.begin(), languages.end(), spec.language);
            compiled.language = static_cast<std::size_t>(known - languages.begin());
            if (known == languages.end()) {
                auto stemmer = make_stemmer(spec.language);
                if (!stemmer) {
                    throw std::invalid_argument("watchlist " + spec.name + ": unknown language " + spec.language);
                }
                languages.push_back(spec.language);
                stemmers.push_back(std::move(stemmer));
                stem_ids.emplace_back();
            }
            for (const auto& leaf : spec.query.leaves()) {
                if (leaf.kind == Leaf::Kind::phrase) {
                    for (const auto& word : leaf.words) {
                        phrase_words.try_emplace(word, 0);
                    }
                } else if (leaf.kind == Leaf::Kind::prefix && leaf_prefixes.try_emplace(leaf.words.front(), 0).second) {
                    leaf_prefix_lengths.push_back(leaf.words.front().size());
                }
                std::uint32_t id = k_no_stem;
                if (leaf.kind == Leaf::Kind::word) {
                    auto& ids = stem_ids[compiled.language];
                    const auto [slot, inserted] =
                        ids.try_emplace(stem(*stemmers[compiled.language], leaf.words.front()),
                                        static_cast<std::uint32_t>(stem_postings.size()));
                    if (inserted) {
                        stem_postings.emplace_back();
                    }
                    id = slot->second;
                }
                compiled.leaf_stems.push_back(id);
            }
            const Node& root = spec.query.root();
            const bool single_word =
                root.kind == Node::Kind::leaf && spec.query.leaves()[root.leaf].kind == Leaf::Kind::word;
            shortcuts.push_back(Shortcut{nullptr, single_word ? compiled.leaf_stems[root.leaf] : k_no_stem,
                                         static_cast<std::uint16_t>(compiled.language),
                                         single_word ? spec.query.leaves()[root.leaf].fields : FieldSet{0},
                                         !spec.feeds.empty()});
            compiled.spec = std::move(spec);
            watchlists.push_back(std::move(compiled));
        }
        for (std::size_t w = 0; w < watchlists.size(); ++w) {
            shortcuts[w].root = &watchlists[w].spec.query.root();  // watchlists no longer moves
        }
        for (std::uint32_t w = 0; w < watchlists.size(); ++w) {
            const auto& compiled = watchlists[w];
            const auto triggers = trigger_of(compiled, compiled.spec.query.root());
            if (!triggers) {
                throw std::invalid_argument("watchlist " + compiled.spec.name + ": query matches every article");
            }
            for (const auto& trigger : *triggers) {
                const auto condition = static_cast<std::uint32_t>(condition_watchlist.size());
                condition_watchlist.push_back(w);
                switch (trigger.kind) {
                case Trigger::Kind::folded:
                    if (trigger.also.empty()) {
                        folded_index[trigger.key].push_back(condition);
                    } else {
                        pair_index[trigger.key].push_back(PairCondition{w, word_hash(trigger.also)});
                    }
                    break;
                case Trigger::Kind::stem:
                    stem_postings[trigger.stem_id].push_back(condition);
                    break;
                case Trigger::Kind::prefix:
                    prefix_index[trigger.key].push_back(condition);
                    prefix_lengths.push_back(trigger.key.size());
                    break;
                }
            }
        }
        for (auto* lengths : {&prefix_lengths, &leaf_prefix_lengths}) {
            std::sort(lengths->begin(), lengths->end());
            lengths->erase(std::unique(lengths->begin(), lengths->end()), lengths->end());
        }
    }

    // A set of words of which at least one occurs in every article the node matches; nullopt
    // when the node can match without any word (a negation).
    std::optional<std::vector<Trigger>> trigger_of(const Compiled& compiled, const Node& node) const
    {
        switch (node.kind) {
        case Node::Kind::leaf: {
            const Leaf& leaf = compiled.spec.query.leaves()[node.leaf];
            switch (leaf.kind) {
            case Leaf::Kind::word:
                return std::vector<Trigger>{{Trigger::Kind::stem, {}, compiled.leaf_stems[node.leaf], {}}};
            case Leaf::Kind::prefix:
                return std::vector<Trigger>{{Trigger::Kind::prefix, leaf.words.front(), k_no_stem, {}}};
            case Leaf::Kind::phrase: {
                // The two longest words, likely the rarest, must both occur: one alone lets
                // through every article with a common word of the phrase.
                std::vector<std::string> words = leaf.words;
                std::stable_sort(words.begin(), words.end(),
                                 [](const auto& a, const auto& b) { return a.size() > b.size(); });
                const auto second = std::find_if(words.begin() + 1, words.end(),
                                                 [&words](const auto& word) { return word != words.front(); });
                return std::vector<Trigger>{
                    {Trigger::Kind::folded, words.front(), k_no_stem, second == words.end() ? "" : *second}};
            }
            }
            return std::nullopt;
        }
        case Node::Kind::near:
            return trigger_of(compiled, node.children.front());
        case Node::Kind::negation:
            return std::nullopt;
        case Node::Kind::any_of: {
            std::vector<Trigger> all;
            for (const auto& child : node.children) {
                auto triggers = trigger_of(compiled, child);
                if (!triggers) {
                    return std::nullopt;
                }
                all.insert(all.end(), triggers->begin(), triggers->end());
            }
            return all;
        }
        case Node::Kind::all_of: {
            std::optional<std::vector<Trigger>> best;
            const auto cost = [](const std::vector<Trigger>& triggers) {
                std::size_t total = 0;
                for (const auto& trigger : triggers) {
                    total += trigger.kind == Trigger::Kind::prefix ? 8 : 1;
                }
                return total;
            };
            for (const auto& child : node.children) {
                auto triggers = trigger_of(compiled, child);
                if (triggers && (!best || cost(*triggers) < cost(*best))) {
                    best = std::move(triggers);
                }
            }
            return best;
        }
        }
        return std::nullopt;
    }

    // A trigger, packed so that sorting groups a watchlist's triggers: the watchlist in the
    // high half; in the low half bit 31 for a plain candidate, its fields in bits 24-30 and
    // the word (key, below k_max_keys) that fired it, or k_no_key for a two-word condition.
    static std::uint64_t trigger(std::uint32_t watchlist, std::uint32_t key, bool plain, FieldSet fields)
    {
        return (static_cast<std::uint64_t>(watchlist) << 32) | (plain ? 1U << 31 : 0U) |
               (static_cast<std::uint32_t>(fields & 0x7F) << 24) | key;
    }
    static std::uint32_t trigger_watchlist(std::uint64_t packed) { return static_cast<std::uint32_t>(packed >> 32); }
    static bool trigger_plain(std::uint64_t packed) { return (packed & (1U << 31)) != 0; }
    static FieldSet trigger_fields(std::uint64_t packed) { return static_cast<FieldSet>((packed >> 24) & 0x7F); }
    static std::uint32_t trigger_key(std::uint64_t packed) { return static_cast<std::uint32_t>(packed) & k_no_key; }

    // Makes the article's relevant words its keys (with their stems) and returns the triggers
    // of the watchlists worth evaluating (see trigger()), ascending: one per distinct word of
    // the article that triggers a watchlist alone, one per two-word condition that holds.
    std::vector<std::uint64_t> prepare(Document& document, bool want_candidates) const
    {
        const auto& distinct = document.distinct;
        std::vector<std::uint64_t> triggered;
        // Allocated before the lock, which the ingest threads share.
        triggered.reserve(2 * distinct.size());
        document.keys.reserve(distinct.size());
        for (auto& ids : document.stem_ids) {
            ids.reserve(distinct.size());
        }
        {
            const std::lock_guard lock(cache_mutex);
            if (token_cache.size() > k_token_cache_limit) {
                token_cache.clear();
            }
            const std::size_t count = languages.size();
            // Three stages ahead of the lookup, each reading what the one before loaded.
            constexpr std::size_t k_slot_ahead = 12;
            constexpr std::size_t k_entry_ahead = 8;
            constexpr std::size_t k_candidates_ahead = 4;
            for (std::size_t d = 0; d < std::min(k_slot_ahead, distinct.size()); ++d) {
                token_cache.prefetch_slot(distinct[d].hash);
            }
            for (std::uint32_t d = 0; d < distinct.size(); ++d) {
                if (d + k_slot_ahead < distinct.size()) {
                    token_cache.prefetch_slot(distinct[d + k_slot_ahead].hash);
                }
                if (d + k_entry_ahead < distinct.size()) {
                    token_cache.prefetch_entry(distinct[d + k_entry_ahead].hash);
                }
                if (d + k_candidates_ahead < distinct.size()) {
                    token_cache.prefetch_candidates(distinct[d + k_candidates_ahead].hash);
                }
                const auto& word = distinct[d];
                const std::string_view folded = document.folded(word);
                WordCache::Found found = token_cache.find(word.hash, folded);
                if (!found.known) {
                    found = token_cache.insert(word.hash, folded, describe_token(folded));
                }
                if (!found.facts) {
                    continue;
                }
                const WordFacts& facts = *found.facts;
                const std::uint32_t key = document.make_key(d);
                document.stem_ids[0].push_back(facts.first_stem_id);
                for (std::size_t l = 1; l < count; ++l) {
                    document.stem_ids[l].push_back(facts.other_stem_ids[l - 1]);
                }
                if (want_candidates) {
                    for (const Candidate& candidate : facts.candidates) {
                        triggered.push_back(trigger(candidate.watchlist, key, candidate.plain, candidate.fields));
                    }
                    for (const PairCondition& pair : facts.pairs) {
                        if (document.has_hash(pair.other_hash)) {
                            triggered.push_back(trigger(pair.watchlist, k_no_key, false, 0));
                        }
                    }
                }
            }
        }
        document.index_keys();
        std::sort(triggered.begin(), triggered.end());
        return triggered;
    }

    // Called with cache_mutex held (stemmers are not thread-safe).
    TokenInfo describe_token(std::string_view key) const
    {
        TokenInfo info;
        std::vector<std::uint32_t> conditions;
        const auto add = [&conditions](const auto& index, std::string_view probe) {
            const auto found = index.find(probe);
            if (found != index.end()) {
                conditions.insert(conditions.end(), found->second.begin(), found->second.end());
            }
        };
        add(folded_index, key);
        std::vector<std::uint32_t> stems;
        for (std::size_t l = 0; l < languages.size(); ++l) {
            const auto found = stem_ids[l].find(stem(*stemmers[l], key));
            stems.push_back(found == stem_ids[l].end() ? k_no_stem : found->second);
            if (found != stem_ids[l].end()) {
                const auto& postings = stem_postings[found->second];
                conditions.insert(conditions.end(), postings.begin(), postings.end());
            }
        }
        for (const std::size_t length : prefix_lengths) {
            if (length > key.size()) {
                break;
            }
            add(prefix_index, key.substr(0, length));
        }
        std::vector<std::uint32_t> candidates;
        candidates.reserve(conditions.size());
        for (const std::uint32_t condition : conditions) {
            candidates.push_back(condition_watchlist[condition]);
        }
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        info.first_stem_id = stems.front();
        info.other_stem_ids.assign(stems.begin() + 1, stems.end());
        for (const std::uint32_t watchlist : candidates) {
            const Shortcut& shortcut = shortcuts[watchlist];
            const bool plain = shortcut.stem_id != k_no_stem && !shortcut.scoped;
            info.candidates.push_back(Candidate{watchlist, plain ? shortcut.fields : FieldSet{0}, plain});
        }
        if (const auto found = pair_index.find(key); found != pair_index.end()) {
            info.pairs = found->second;
        }
        info.relevant = !info.candidates.empty() || !info.pairs.empty() ||
                        std::any_of(stems.begin(), stems.end(), [](std::uint32_t id) { return id != k_no_stem; }) ||
                        phrase_words.contains(key) ||
                        std::any_of(leaf_prefix_lengths.begin(), leaf_prefix_lengths.end(), [&](std::size_t length) {
                            return length <= key.size() && leaf_prefixes.contains(key.substr(0, length));
                        });
        return info;
    }

    static bool in_scope(const WatchlistSpec& spec, const FeedInfo& feed)
    {
        if (spec.feeds.empty()) {
            return true;
        }
        for (const auto& scope : spec.feeds) {
            if (scope.rfind("tag:", 0) == 0) {
                const std::string_view tag = std::string_view(scope).substr(4);
                if (std::find(feed.tags.begin(), feed.tags.end(), tag) != feed.tags.end()) {
                    return true;
                }
            } else if (!scope.empty() && feed.url.substr(0, scope.size()) == scope) {
                return true;
            }
        }
        return false;
    }

    // Appends the spans of the leaf's matches in document, ascending.
    void leaf_spans(const Compiled& compiled, std::size_t leaf_index, Document& document,
                    std::vector<Span>& spans) const
    {
        const Leaf& leaf = compiled.spec.query.leaves()[leaf_index];
        const std::size_t mark = spans.size();
        const auto add_occurrences = [&](std::uint32_t key) {
            for (const auto& at : document.occurrences_of(key)) {
                if (in_fields(leaf.fields, at.field)) {
                    spans.push_back(Span{at.field, at.token, at.token});
                }
            }
        };
        switch (leaf.kind) {
        case Leaf::Kind::word:
            for (const auto& [stem_id, k] : document.keys_with_stem(compiled.language, compiled.leaf_stems[leaf_index])) {
                add_occurrences(k);
            }
            break;
        case Leaf::Kind::prefix:
            for (std::uint32_t k = 0; k < document.keys.size(); ++k) {
                if (document.keys[k].substr(0, leaf.words.front().size()) == leaf.words.front()) {
                    add_occurrences(k);
                }
            }
            break;
        case Leaf::Kind::phrase: {
            // Walk the occurrences of the phrase's least frequent word ("cyber" rather than
            // "the"); a word absent from the article rules the phrase out before any walk.
            std::size_t anchor = 0;
            std::uint32_t anchor_key = 0;
            std::size_t fewest = SIZE_MAX;
            auto& keys = document.phrase_keys;
            keys.clear();
            for (std::size_t k = 0; k < leaf.words.size(); ++k) {
                const auto key = document.key_of(leaf.words[k]);
                if (!key) {
                    return;
                }
                keys.push_back(*key);
                const std::size_t count = document.occurrences_of(*key).size();
                if (count < fewest) {
                    fewest = count;
                    anchor = k;
                    anchor_key = *key;
                }
            }
            const auto length = static_cast<std::uint32_t>(leaf.words.size());
            for (const auto& at : document.occurrences_of(anchor_key)) {
                if (!in_fields(leaf.fields, at.field) || at.token < anchor) {
                    continue;
                }
                const FieldText& field = document.fields[at.field];
                const std::uint32_t first = at.token - static_cast<std::uint32_t>(anchor);
                if (first + length > field.words.size()) {
                    continue;
                }
                bool all = true;
                for (std::uint32_t k = 0; k < length && all; ++k) {
                    const std::uint32_t token = first + k;
                    all = field.words[token].key == keys[k] &&
                          field.words[token].position == field.words[first].position + k &&
                          (!leaf.exact_case || document.original({at.field, token}) == leaf.spelling[k]);
                }
                if (all) {
                    spans.push_back(Span{at.field, first, first + length - 1});
                }
            }
            break;
        }
        }
        if (!std::is_sorted(spans.begin() + static_cast<std::ptrdiff_t>(mark), spans.end(), span_less)) {
            std::sort(spans.begin() + static_cast<std::ptrdiff_t>(mark), spans.end(), span_less);
        }
    }

    // Whether node matches document. With found, every match is appended to it (the spans an
    // alert may show); without, evaluation stops as soon as the verdict is known.
    bool evaluate(const Compiled& compiled, const Node& node, Document& document, Scratch& scratch,
                  std::vector<Found>* found) const
    {
        switch (node.kind) {
        case Node::Kind::leaf: {
            scratch.left.clear();
            leaf_spans(compiled, node.leaf, document, scratch.left);
            if (found != nullptr) {
                for (const auto& span : scratch.left) {
                    found->push_back(Found{&node, span});
                }
            }
            return !scratch.left.empty();
        }
        case Node::Kind::near: {
            scratch.left.clear();
            leaf_spans(compiled, node.children[0].leaf, document, scratch.left);
            if (scratch.left.empty()) {
                return false;
            }
            scratch.right.clear();
            leaf_spans(compiled, node.children[1].leaf, document, scratch.right);
            bool any = false;
            for (const auto& a : scratch.left) {
                for (const auto& b : scratch.right) {
                    if (a.field != b.field) {
                        continue;
                    }
                    const auto& words = document.fields[a.field].words;
                    std::uint32_t gap = 0;
                    if (a.last < b.first) {
                        gap = words[b.first].position - words[a.last].position - 1;
                    } else if (b.last < a.first) {
                        gap = words[a.first].position - words[b.last].position - 1;
                    } else {
                        continue;  // the same words
                    }
                    if (gap <= node.distance) {
                        if (found == nullptr) {
                            return true;
                        }
                        found->push_back(
                            Found{&node, Span{a.field, std::min(a.first, b.first), std::max(a.last, b.last)}});
                        any = true;
                    }
                }
            }
            return any;
        }
        case Node::Kind::negation:
            return !evaluate(compiled, node.children.front(), document, scratch, nullptr);
        case Node::Kind::all_of: {
            const std::size_t mark = found == nullptr ? 0 : found->size();
            for (const auto& child : node.children) {
                if (!evaluate(compiled, child, document, scratch, found)) {
                    if (found != nullptr) {
                        found->resize(mark);
                    }
                    return false;
                }
            }
            return true;
        }
        case Node::Kind::any_of: {
            bool any = false;
            for (const auto& child : node.children) {
                any = evaluate(compiled, child, document, scratch, found) || any;
                if (any && found == nullptr) {
                    return true;
                }
            }
            return any;
        }
        }
        return false;
    }

    // A one-word watchlist (its shortcut) decided from the article's words that have its stem:
    // what evaluate() and choose_shown() do for a word leaf, without reading the query.
    // root may be nullptr for the query's root (Matches::matches() finds it when asked).
    static void decide_word(std::uint32_t watchlist, FieldSet fields, const Node* root,
                            std::span<const std::uint32_t> keys, const Document& document, Scratch& scratch,
                            std::vector<HitRecord>& hits)
    {
        if (keys.size() == 1) {
            // One word form: its occurrences are in (field, token) order already, and the
            // matches shown are the first occurrence in each field, up to 3.
            HitRecord record{watchlist, 0, {}};
            for (const auto& at : document.occurrences_of(keys.front())) {
                if (!in_fields(fields, at.field)) {
                    continue;
                }
                const auto shown = std::span<const Found>(record.shown).first(record.shown_count);
                if (std::none_of(shown.begin(), shown.end(),
                                 [&at](const Found& entry) { return entry.span.field == at.field; })) {
                    record.shown[record.shown_count++] = Found{root, Span{at.field, at.token, at.token}};
                    if (record.shown_count == k_max_matches) {
                        break;
                    }
                }
            }
            if (record.shown_count != 0) {
                hits.push_back(record);
            }
            return;
        }
        scratch.found.clear();
        for (const std::uint32_t key : keys) {
            for (const auto& at : document.occurrences_of(key)) {
                if (in_fields(fields, at.field)) {
                    scratch.found.push_back(Found{root, Span{at.field, at.token, at.token}});
                }
            }
        }
        if (scratch.found.empty()) {
            return;
        }
        const auto by_span = [](const Found& a, const Found& b) { return span_less(a.span, b.span); };
        if (!std::is_sorted(scratch.found.begin(), scratch.found.end(), by_span)) {
            std::sort(scratch.found.begin(), scratch.found.end(), by_span);
        }
        hits.push_back(choose_shown(watchlist, scratch.found));
    }

    // The watchlists matching the item, with the matches to show, but no text copied yet.
    // Indexed, only the watchlists that prepare() found triggered are looked at, and a one-word
    // watchlist gets the words that triggered it from there; unindexed, every watchlist.
    void run(Matches::State& state, const FeedInfo& feed, bool indexed) const
    {
        Document& document = state.document;
        indexed = indexed && document.distinct.size() < k_max_keys;  // else too many words to pack
        std::vector<std::uint64_t> triggered = prepare(document, indexed);
        if (!indexed) {
            triggered.resize(watchlists.size());
            for (std::uint32_t w = 0; w < triggered.size(); ++w) {
                triggered[w] = trigger(w, k_no_key, false, 0);
            }
        }
        Scratch scratch;
        std::vector<std::uint32_t> keys;
        state.hits.reserve(indexed ? triggered.size() : 0);
        for (std::size_t next = 0; next < triggered.size();) {
            const std::uint64_t first = triggered[next];
            const std::uint32_t w = trigger_watchlist(first);
            keys.clear();
            for (; next < triggered.size() && trigger_watchlist(triggered[next]) == w; ++next) {
                if (const std::uint32_t key = trigger_key(triggered[next]); key != k_no_key) {
                    keys.push_back(key);
                }
            }
            if (trigger_plain(first)) {
                decide_word(w, trigger_fields(first), nullptr, keys, document, scratch, state.hits);
                continue;
            }
            const Shortcut& shortcut = shortcuts[w];
            if (shortcut.scoped && !in_scope(watchlists[w].spec, feed)) {
                continue;
            }
            if (shortcut.stem_id != k_no_stem) {
                if (!indexed) {
                    for (const auto& [stem_id, key] : document.keys_with_stem(shortcut.language, shortcut.stem_id)) {
                        keys.push_back(key);
                    }
                }
                if (!keys.empty()) {
                    decide_word(w, shortcut.fields, shortcut.root, keys, document, scratch, state.hits);
                }
                continue;
            }
            const Compiled& compiled = watchlists[w];
            scratch.found.clear();
            if (evaluate(compiled, compiled.spec.query.root(), document, scratch, &scratch.found)) {
                state.hits.push_back(choose_shown(w, scratch.found));
            }
        }
    }
};

Matches::Matches(std::unique_ptr<State> state) : m_state(std::move(state)) {}

Matches::~Matches() = default;

Matches::Matches(Matches&&) noexcept = default;

Matches& Matches::operator=(Matches&&) noexcept = default;

std::size_t Matches::size() const { return m_state ? m_state->hits.size() : 0; }

const WatchlistSpec& Matches::watchlist(std::size_t hit) const
{
    return m_state->watchlists[m_state->hits.at(hit).watchlist].spec;
}

std::vector<model::Match> Matches::matches(std::size_t hit) const
{
    const HitRecord& record = m_state->hits.at(hit);
    const Compiled& compiled = m_state->watchlists[record.watchlist];
    std::vector<model::Match> matches;
    matches.reserve(record.shown_count);
    for (std::size_t i = 0; i < record.shown_count; ++i) {
        const Found& shown = record.shown[i];
        const Node& node = shown.node != nullptr ? *shown.node : compiled.spec.query.root();
        matches.push_back(model::Match{term_of(compiled, node),
                                       std::string(field_name(static_cast<Field>(shown.span.field))),
                                       m_state->document.snippet(shown.span)});
    }
    return matches;
}

Hit Matches::hit(std::size_t hit) const
{
    const WatchlistSpec& spec = watchlist(hit);
    return Hit{spec.name, spec.notify, matches(hit)};
}

Matcher::Matcher(std::vector<WatchlistSpec> watchlists) : m_impl(std::make_unique<Impl>(std::move(watchlists))) {}

Matcher::~Matcher() = default;

Matches Matcher::find(const model::Item& item, const FeedInfo& feed) const
{
    if (m_impl->watchlists.empty()) {
        return Matches(nullptr);
    }
    auto state = std::make_unique<Matches::State>(m_impl->watchlists, item, feed, m_impl->languages.size());
    m_impl->run(*state, feed, true);
    return Matches(std::move(state));
}

namespace {

std::vector<Hit> all_hits(const Matches& found)
{
    std::vector<Hit> hits;
    hits.reserve(found.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
        hits.push_back(found.hit(i));
    }
    return hits;
}

}  // namespace

std::vector<Hit> Matcher::match(const model::Item& item, const FeedInfo& feed) const
{
    return all_hits(find(item, feed));
}

std::vector<Hit> Matcher::match_unindexed(const model::Item& item, const FeedInfo& feed) const
{
    if (m_impl->watchlists.empty()) {
        return {};
    }
    auto state = std::make_unique<Matches::State>(m_impl->watchlists, item, feed, m_impl->languages.size());
    m_impl->run(*state, feed, false);
    return all_hits(Matches(std::move(state)));
}

std::size_t Matcher::size() const { return m_impl->watchlists.size(); }

}  // namespace feedwatch::match
