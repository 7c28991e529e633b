#include "pipeline/story_book.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "core/log_field.hpp"
#include "store/queries.hpp"

namespace feedwatch::pipeline {
namespace {

std::string_view host_of(std::string_view url)
{
    if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    url = url.substr(0, url.find_first_of("/?#"));
    if (const auto credentials = url.rfind('@'); credentials != std::string_view::npos) {
        url.remove_prefix(credentials + 1);
    }
    return url;
}

}  // namespace

std::string story_source(const model::Article& article)
{
    return article.feed.title.empty() ? std::string(host_of(article.feed.url)) : article.feed.title;
}

StoryBook::StoryBook(store::Store& store, story::Grouper grouper, std::chrono::seconds snapshot_every)
    : m_store(store), m_grouper(std::move(grouper)), m_snapshot_every(snapshot_every)
{
}

core::Result<std::unique_ptr<StoryBook>> StoryBook::open(store::Store& store, story::Options options,
                                                         std::chrono::seconds snapshot_every)
{
    auto saved = store.story_snapshot();
    if (!saved) {
        return tl::unexpected(saved.error());
    }
    const core::Instant now = core::now();
    if (!*saved) {
        auto book = std::make_unique<StoryBook>(store, story::Grouper(options), snapshot_every);
        if (auto written = book->save(); !written) {
            return tl::unexpected(written.error());
        }
        return book;
    }
    auto restored = story::Grouper::restore((*saved)->grouper, options);
    if (!restored) {
        // A snapshot of another version: grouping starts over rather than the daemon not at all.
        spdlog::warn("story snapshot unreadable; stories start empty detail={}",
                     core::log_value(restored.error().detail));
        restored = story::Grouper(options);
    }
    auto book = std::make_unique<StoryBook>(store, std::move(*restored), snapshot_every);
    // Older articles would close their stories at once: the window bounds the replay.
    auto articles = store::articles_after(store, (*saved)->article_sequence, now - options.window);
    if (!articles) {
        return tl::unexpected(articles.error());
    }
    {
        Session session = book->lock();
        for (const model::Article& article : *articles) {
            session.assign(article);
        }
    }
    book->m_replayed = articles->size();
    return book;
}

StoryBook::Session::Session(StoryBook& book) : m_book(book), m_lock(book.m_mutex) {}

StoryBook::Session StoryBook::lock()
{
    return Session(*this);
}

story::Assignment StoryBook::Session::assign(const model::Article& article)
{
    const std::string source = story_source(article);
    const story::ArticleInput input{article.id, article.item.title, article.item.text, source, article.first_seen};
    return m_book.m_grouper.assign(input);
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
    if (now - m_book.m_last_snapshot < m_book.m_snapshot_every) {
        return std::nullopt;
    }
    m_book.m_last_snapshot = now;
    return m_book.m_grouper.snapshot();
}

core::Result<void> StoryBook::save()
{
    const std::lock_guard lock(m_mutex);
    if (auto saved = m_store.save_story_snapshot(m_grouper.snapshot()); !saved) {
        return saved;
    }
    m_last_snapshot = core::now();
    return {};
}

}  // namespace feedwatch::pipeline
