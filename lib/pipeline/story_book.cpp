#include "pipeline/story_book.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/log_field.hpp"
#include "model/outlet.hpp"
#include "store/queries.hpp"

namespace feedwatch::pipeline {

std::string story_source(const model::Article& article)
{
    return model::outlet_of(article);
}

namespace {

// The time the grouper's window runs on for this article: when it was first seen, except for
// backlog (published more than a window before that, as most items on a feed's first poll):
// no report of an event still developing, it enters at its publication time, so the story
// it starts closes with the next article instead of holding memory for a whole window. A
// first poll of 100,000 feeds would otherwise open a story per archived item.
core::Instant arrival_of(const model::Article& article, std::chrono::seconds window)
{
    const auto& published = article.item.published ? article.item.published : article.item.updated;
    if (published && *published + window < article.first_seen) {
        return *published;
    }
    return article.first_seen;
}

story::Assignment assign_to(story::Grouper& grouper, const model::Article& article,
                             const story::PreparedArticle* prepared = nullptr)
{
    const std::string source = story_source(article);
    const story::ArticleInput input{article.id, article.item.title, article.item.text, source,
                                    arrival_of(article, grouper.options().window)};
    // The grouper's clock is the latest arrival it has seen; a start on nothing but backlog
    // would keep it years back and every backlog story open. Closing on first_seen first
    // moves it to now (no one reads which stories closed).
    grouper.close_idle(article.first_seen);
    return prepared ? grouper.assign(input, *prepared) : grouper.assign(input);
}

struct Loaded {
    story::Grouper grouper;
    std::size_t replayed = 0;
};

// The saved snapshot and the articles committed after it, assigned again; nullopt when no
// snapshot was ever saved.
core::Result<std::optional<Loaded>> load(store::Store& store, const story::Options& options)
{
    auto saved = store.story_snapshot();
    if (!saved) {
        return tl::unexpected(saved.error());
    }
    if (!*saved) {
        return std::optional<Loaded>{};
    }
    auto restored = story::Grouper::restore((*saved)->grouper, options);
    if (!restored) {
        // A snapshot of another version: grouping starts over rather than the daemon not at all.
        spdlog::warn("story snapshot unreadable; stories start empty detail={}",
                     core::log_value(restored.error().detail));
        restored = story::Grouper(options);
    }
    // Older articles would close their stories at once: the window bounds the replay.
    auto articles = store::articles_after(store, (*saved)->article_sequence, core::now() - options.window);
    if (!articles) {
        return tl::unexpected(articles.error());
    }
    Loaded loaded{std::move(*restored), articles->size()};
    for (const model::Article& article : *articles) {
        assign_to(loaded.grouper, article);
    }
    return std::optional<Loaded>{std::move(loaded)};
}

}  // namespace

StoryBook::StoryBook(store::Store& store, story::Grouper grouper, std::chrono::seconds snapshot_every)
    : m_store(store), m_grouper(std::move(grouper)), m_snapshot_every(snapshot_every)
{
}

core::Result<std::unique_ptr<StoryBook>> StoryBook::open(store::Store& store, story::Options options,
                                                         std::chrono::seconds snapshot_every)
{
    auto loaded = load(store, options);
    if (!loaded) {
        return tl::unexpected(loaded.error());
    }
    if (!*loaded) {
        auto book = std::make_unique<StoryBook>(store, story::Grouper(options), snapshot_every);
        if (auto written = book->save(); !written) {
            return tl::unexpected(written.error());
        }
        return book;
    }
    auto book = std::make_unique<StoryBook>(store, std::move((*loaded)->grouper), snapshot_every);
    book->m_replayed = (*loaded)->replayed;
    return book;
}

core::Result<void> StoryBook::Session::reload()
{
    auto loaded = load(m_book.m_store, m_book.m_grouper.options());
    if (!loaded) {
        return tl::unexpected(loaded.error());
    }
    m_book.m_grouper = *loaded ? std::move((*loaded)->grouper) : story::Grouper(m_book.m_grouper.options());
    return {};
}

StoryBook::Session::Session(StoryBook& book) : m_book(book), m_lock(book.m_mutex) {}

StoryBook::Session StoryBook::lock()
{
    return Session(*this);
}

story::Assignment StoryBook::Session::assign(const model::Article& article)
{
    return assign_to(m_book.m_grouper, article);
}

story::Assignment StoryBook::Session::assign(const model::Article& article, const story::PreparedArticle& prepared)
{
    return assign_to(m_book.m_grouper, article, &prepared);
}

std::optional<story::StorySummary> StoryBook::Session::story(std::string_view id) const
{
    return m_book.m_grouper.story(id);
}

std::size_t StoryBook::Session::open_stories() const
{
    return m_book.m_grouper.open_stories();
}

std::optional<std::string> StoryBook::Session::snapshot_if_due(core::Instant now)
{
    if (now < m_book.m_next_snapshot) {
        return std::nullopt;
    }
    const auto started = std::chrono::steady_clock::now();
    std::string snapshot = m_book.m_grouper.snapshot();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    const auto gap = std::max(m_book.m_snapshot_every,
                              std::chrono::ceil<std::chrono::seconds>(took * k_snapshot_cost_factor));
    m_book.m_next_snapshot = now + gap;
    if (took >= std::chrono::seconds{1}) {
        spdlog::info("story snapshot is large; taken less often open={} bytes={} took_ms={} next_in_s={}",
                     m_book.m_grouper.open_stories(), snapshot.size(), took.count(),
                     gap.count());
    }
    return snapshot;
}

core::Result<void> StoryBook::save()
{
    const std::lock_guard lock(m_mutex);
    if (auto saved = m_store.save_story_snapshot(m_grouper.snapshot()); !saved) {
        return saved;
    }
    m_next_snapshot = core::now() + m_snapshot_every;
    return {};
}

}  // namespace feedwatch::pipeline
