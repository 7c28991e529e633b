#pragma once
// Story grouping: each new article joins an open story about the same event or starts one,
// online, in arrival order. Pure: no I/O, no clock of its own (time comes with the article).
//
// How: an article becomes weighted terms (English stems; title, lead, names and numbers
// weighted up; story/features.hpp) scored by IDF learned from the articles seen so far, plus
// a MinHash signature of its text. Candidate stories come from an inverted index over each
// open story's most distinctive terms and from the signature's bands, never from a scan of
// all open stories. Similarity to a story is the mean of two cosines with its centroid (IDF
// applied at comparison time): over all terms, and over names and numbers only. The article
// joins the most similar candidate when that is at least Options::threshold, or at once
// when it shares its signature with a story (a wire report under a new headline); otherwise
// it starts a story whose id is the article's id. A story closes once no article has joined it for Options::window,
// measured on the arrival times of the articles themselves.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "story/features.hpp"

namespace feedwatch::story {

// Chosen on ../shared/stories/dev.jsonl only (bench/README.md "story" has the sweep).
inline constexpr double k_default_threshold = 0.35;
inline constexpr std::chrono::seconds k_default_window = std::chrono::hours(72);
// Terms remembered at most (about 60 MB with their statistics and the snapshot's share);
// beyond it the rarest terms no open story uses are forgotten (see Options::max_vocabulary).
inline constexpr std::size_t k_default_max_vocabulary = std::size_t{1} << 19;

struct Options {
    std::chrono::seconds window = k_default_window;  // a story closes this long after its last article
    double threshold = k_default_threshold;          // similarity to an open story's centroid to join it
    // Once the vocabulary (every term seen, with its document frequency) outgrows this, it is
    // cut to at most half: terms no open story holds are dropped, rarest first (seen in one
    // article, then two, ...). A dropped term seen again starts over as new. Without a bound
    // a daemon's memory and snapshot grow with every name and number it ever read.
    std::size_t max_vocabulary = k_default_max_vocabulary;
};

// One article as the grouper sees it. The daemon passes the stored article: id, item title,
// item plain text, the feed (or outlet) it came from and first_seen.
struct ArticleInput {
    std::string_view id;      // unique among articles; the first article's id becomes its story's id
    std::string_view title;   // plain text
    std::string_view text;    // plain text of summary/content
    std::string_view source;  // outlet or feed; may be empty
    core::Instant arrived;    // when the article was first seen; the window runs on this clock
};

enum class Outcome { started, joined };

struct Assignment {
    std::string story;  // story id
    Outcome outcome = Outcome::started;
    bool near_duplicate = false;      // joined because its text is a near copy of the story's
    double similarity = 0;            // to the nearest open story (the one joined, if any); 0 without candidates
    std::vector<std::string> closed;  // stories closed by the time this article arrived, oldest first
};

// What a story looks like now, for payloads and views.
struct StorySummary {
    std::string id;
    std::string first_title;
    core::Instant first_seen;
    core::Instant last_seen;
    std::size_t articles = 0;
    std::vector<std::string> outlets;  // distinct sources in order of first report (at most 32)
};

class Grouper {
public:
    explicit Grouper(Options options = {});
    ~Grouper();
    Grouper(Grouper&&) noexcept;
    Grouper& operator=(Grouper&&) noexcept;
    Grouper(const Grouper&) = delete;
    Grouper& operator=(const Grouper&) = delete;

    // Assigns article to an open story or starts one. First closes every story idle for
    // longer than the window before the latest arrival time seen (arrival times may go
    // backwards; the clock does not). Never fails. Not thread-safe: one caller at a time.
    Assignment assign(const ArticleInput& article);
    // The same with the article's features already computed by prepare(article.title,
    // article.text), which is thread-safe: a caller with several threads prepares articles in
    // parallel and assigns them here one at a time, in arrival order, with identical results.
    Assignment assign(const ArticleInput& article, const PreparedArticle& prepared);

    // Closes every story whose last article arrived more than the window before now; returns
    // their ids, oldest first. For a daemon that wants to close stories between articles.
    std::vector<std::string> close_idle(core::Instant now);

    // The open story with that id, if any.
    std::optional<StorySummary> story(std::string_view id) const;
    std::size_t open_stories() const;
    // Terms remembered now (at most Options::max_vocabulary after any assign()).
    std::size_t vocabulary_size() const;
    const Options& options() const;

    // The whole state as one JSON document (format in story/snapshot.cpp): term statistics
    // and every open story. restore(snapshot()) continues exactly as this grouper would.
    std::string snapshot() const;
    // Rebuilds a grouper from snapshot() output; the options given replace the saved ones
    // (a changed threshold applies from the next article). Fails with ErrorCode::parse on a
    // document that is not a snapshot of this version.
    static core::Result<Grouper> restore(std::string_view snapshot, Options options);

    // Rough bytes held per open story (centroid, index entries, signature bands), for the
    // benchmark's memory figure; term statistics shared by all stories are not included.
    std::size_t approximate_bytes_per_story() const;

    struct State;  // the plain data behind the grouper (story/state.hpp)

private:
    explicit Grouper(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

}  // namespace feedwatch::story
