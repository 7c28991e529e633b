#pragma once
// The daemon's one story grouper (story/grouper.hpp), shared by the ingest workers. The
// grouper is not thread-safe and its state must match the store: a worker holds the book's
// lock from the first assignment of a poll to the end of that poll's commit, so commits with
// assignments land in the order the grouper saw them, and a snapshot written in a commit
// covers exactly the articles committed up to that batch.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "model/article.hpp"
#include "store/store.hpp"
#include "story/grouper.hpp"

namespace feedwatch::pipeline {

// The outlet a story lists for an article: its feed's title, else the feed URL's host.
std::string story_source(const model::Article& article);

class StoryBook {
public:
    // How often a commit carries a snapshot by default; shutdown saves one too (save()).
    // Rare enough that a large state is not rewritten on every poll, often enough that a
    // restart after a kill replays half a minute of articles.
    static constexpr std::chrono::seconds k_snapshot_every{30};
    // Snapshots take at most about 1/k_snapshot_cost_factor of the grouper's time.
    static constexpr int k_snapshot_cost_factor = 50;

    // Restores the grouper from the store's snapshot and assigns again, in commit order, the
    // articles committed after it (first seen within the window): after a kill, nothing
    // assigned is forgotten. Without a snapshot it starts empty and saves one at once, so
    // that the articles committed from now on are the ones a restart replays. A snapshot
    // this version cannot read is logged and replaced by an empty grouper. Fails on a store
    // read or write error.
    static core::Result<std::unique_ptr<StoryBook>> open(store::Store& store, story::Options options,
                                                         std::chrono::seconds snapshot_every = k_snapshot_every);

    // The grouper, locked for as long as the session lives.
    class Session {
    public:
        // Assigns the article (story_source, first_seen as arrival time); returns its story.
        story::Assignment assign(const model::Article& article);
        // The same with the article's features prepared outside the lock:
        // story::prepare(article.item.title, article.item.text).
        story::Assignment assign(const model::Article& article, const story::PreparedArticle& prepared);
        // The open story with that id.
        std::optional<story::StorySummary> story(std::string_view id) const;
        std::size_t open_stories() const;
        // The grouper state to write with this session's commit, when it is due: snapshot_every
        // (of open) after the last one, or k_snapshot_cost_factor times as long as the last one
        // took to serialise, whichever is later. Serialising holds the lock and grows with the
        // open stories, so with very many of them snapshots get rarer instead of taking over
        // the workers; a restart then replays more articles. Counted as written even if the
        // commit fails: the next restart then replays a little more.
        std::optional<std::string> snapshot_if_due(core::Instant now);
        // Forgets every assignment that is not in the store (a commit that failed): rebuilds
        // the grouper from the saved snapshot and the articles committed after it, as open()
        // does. Fails on a store read error, leaving the grouper as it was.
        core::Result<void> reload();

    private:
        friend class StoryBook;
        explicit Session(StoryBook& book);
        StoryBook& m_book;
        std::unique_lock<std::mutex> m_lock;
    };

    Session lock();
    // Saves the grouper state now (shutdown). Call when no ingest runs.
    core::Result<void> save();
    std::size_t replayed() const { return m_replayed; }

    StoryBook(store::Store& store, story::Grouper grouper, std::chrono::seconds snapshot_every);

private:
    store::Store& m_store;
    std::mutex m_mutex;
    story::Grouper m_grouper;
    std::chrono::seconds m_snapshot_every;
    core::Instant m_next_snapshot = core::now() + m_snapshot_every;
    std::size_t m_replayed = 0;
};

}  // namespace feedwatch::pipeline
