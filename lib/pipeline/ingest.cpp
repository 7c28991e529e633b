#include "pipeline/ingest.hpp"

#include <optional>
#include <set>
#include <utility>

#include "deliver/payload.hpp"
#include "deliver/story_digest.hpp"
#include "model/ids.hpp"
#include "parse/parser.hpp"

namespace feedwatch::pipeline {
namespace {

PollPlan plan_for(const IngestJob& job, store::FeedState& state, PollFacts facts)
{
    facts.consecutive_errors = state.consecutive_errors;
    facts.previous_interval = Seconds{state.interval_seconds};
    const PollPlan next = plan_next_poll(job.bounds, facts, job.jitter);
    state.interval_seconds = next.interval.count();
    state.next_poll = core::now() + next.delay;
    state.disabled = next.disabled;
    return next;
}

// Match for the first alert of (watchlist, story), in the store or earlier in this poll;
// update after it. Records a match in alerted.
core::Result<deliver::AlertType> story_alert_type(const store::Store& store,
                                                  std::set<std::pair<std::string, std::string>>& alerted,
                                                  const std::string& watchlist, const std::string& story)
{
    if (!alerted.emplace(watchlist, story).second) {
        return deliver::AlertType::update;
    }
    auto before = store.story_alerted(watchlist, story);
    if (!before) {
        return tl::unexpected(before.error());
    }
    return *before ? deliver::AlertType::update : deliver::AlertType::match;
}

// The articles of a poll that is not committed are fetched and assigned again by the next
// poll: the grouper must not hold them twice.
void forget_assignments(StoryBook::Session& stories, std::string& detail)
{
    if (auto reloaded = stories.reload(); !reloaded) {
        detail += "; reloading story state: " + reloaded.error().detail;
    }
}

StoryUpdatePolicy policy_of(const IngestJob& job, const std::string& webhook)
{
    if (job.story_updates) {
        if (const auto found = job.story_updates->find(webhook); found != job.story_updates->end()) {
            return found->second;
        }
    }
    return StoryUpdatePolicy{};
}

IngestResult parse_failed(store::Store& store, IngestJob& job, std::string detail)
{
    IngestResult result;
    result.outcome = IngestOutcome::parse_error;
    result.detail = std::move(detail);
    result.state = std::move(job.state);
    result.state.last_outcome = "parse_error";
    ++result.state.consecutive_errors;
    PollFacts facts;
    facts.result = PollResult::failed;
    result.plan = plan_for(job, result.state, facts);
    if (auto saved = store.save_feed_state(job.feed.url, result.state); !saved) {
        result.detail += "; saving feed state: " + saved.error().detail;
    }
    return result;
}

}  // namespace

IngestResult ingest(store::Store& store, IngestJob job)
{
    const std::string& url = job.feed.url;
    const parse::ParseOptions options{job.response.content_type, job.response.effective_url};
    auto parsed = parse::parse_feed(job.response.body, options);
    if (!parsed) {
        return parse_failed(store, job, parsed.error().detail);
    }
    IngestResult result;
    result.recovered = std::move(parsed->errors);

    const core::Instant now = core::now();
    store::PollCommit commit;
    commit.feed_url = url;
    const model::FeedRef feed_ref{url, parsed->feed.title};
    const match::FeedInfo feed_info{url, parsed->feed.title, job.feed.tags};  // for feed: terms and scopes
    std::vector<core::Instant> publication_dates;
    for (const auto& item : parsed->items) {
        if (auto date = item.published ? item.published : item.updated) {
            publication_dates.push_back(*date);
        }
    }
    // Matching runs before the book is locked: it is the costly part and needs no story.
    // Matches holds views into the articles' items: reserved here, commit.articles never
    // reallocates while they live.
    std::vector<match::Matches> hits;
    commit.articles.reserve(parsed->items.size());
    for (auto& item : parsed->items) {
        auto seen = store.seen(url, item.id);
        if (!seen) {
            result.detail = seen.error().detail;
            return result;  // store_error
        }
        if (*seen) {
            ++result.duplicates;
            continue;
        }
        commit.articles.push_back(model::Article{model::article_id(url, item.id), feed_ref, std::move(item), now, {}});
        hits.push_back(job.matcher->find(commit.articles.back().item, feed_info));
    }

    // Story features (tokens, stems, signature) are computed before the lock too, so the
    // workers prepare in parallel and hold the lock only for the assignments themselves.
    std::vector<story::PreparedArticle> prepared;
    if (job.stories) {
        prepared.reserve(commit.articles.size());
        for (const model::Article& article : commit.articles) {
            prepared.push_back(story::prepare(article.item.title, article.item.text));
        }
    }
    // Held to the end of the commit (story_book.hpp): assignments and alert types land in
    // the store in the order the grouper made them. A poll without new articles changes no
    // story and does not wait for the other worker.
    std::optional<StoryBook::Session> stories;
    if (job.stories && !commit.articles.empty()) {
        stories.emplace(job.stories->lock());
    }
    std::set<std::pair<std::string, std::string>> alerted;  // (watchlist, story) in this poll
    for (std::size_t index = 0; index < commit.articles.size(); ++index) {
        model::Article& article = commit.articles[index];
        std::optional<story::StorySummary> story;
        if (stories) {
            const story::Assignment assignment = stories->assign(article, prepared[index]);
            article.story = assignment.story;
            ++(assignment.outcome == story::Outcome::started ? result.stories_started : result.stories_joined);
            story = stories->story(article.story);
        }
        for (std::size_t hit = 0; hit < hits[index].size(); ++hit) {
            const match::WatchlistSpec& watchlist = hits[index].watchlist(hit);
            ++result.matches[watchlist.name];
            std::optional<deliver::StoryAlert> story_alert;
            bool update = false;
            if (story) {
                auto type = story_alert_type(store, alerted, watchlist.name, story->id);
                if (!type) {
                    result.detail = type.error().detail;
                    forget_assignments(*stories, result.detail);
                    return result;  // store_error
                }
                if (*type == deliver::AlertType::match) {
                    commit.story_alerts.push_back(store::StoryAlerted{watchlist.name, story->id});
                } else {
                    ++result.story_updates[watchlist.name];
                    update = true;
                }
                story_alert.emplace(
                    deliver::StoryAlert{*type, story->id, story->first_seen, story->articles, story->outlets});
            }
            if (watchlist.notify.empty()) {
                continue;  // no webhook: no alert body, no snippets
            }
            const std::vector<model::Match> matches = hits[index].matches(hit);
            const std::string body =
                story_alert ? deliver::render_json_payload(watchlist.name, article, matches, now, *story_alert)
                            : deliver::render_json_payload(watchlist.name, article, matches, now);
            for (const auto& webhook : watchlist.notify) {
                model::OutboxEntry entry{webhook, model::webhook_id(watchlist.name, webhook, article.id),
                                         watchlist.name, article.id, body, now, now, 0};
                if (update) {
                    const StoryUpdatePolicy policy = policy_of(job, webhook);
                    if (policy.mode == StoryUpdates::none) {
                        continue;  // this webhook wants the match of a story only
                    }
                    if (policy.mode == StoryUpdates::digest) {
                        // Held in the outbox (durable with this commit) until the slot ends.
                        deliver::DigestSlot slot = deliver::story_digest_slot(story->id, now, policy.digest_interval);
                        entry.next_attempt = slot.due;
                        entry.digest = std::move(slot.key);
                    }
                }
                commit.outbox.push_back(std::move(entry));
            }
        }
    }
    if (stories) {
        commit.story_snapshot = stories->snapshot_if_due(now);
        result.open_stories = stories->open_stories();
    }

    store::FeedState& state = job.state;
    state.etag = job.response.etag;
    state.last_modified = job.response.last_modified;
    state.title = parsed->feed.title;
    state.last_success = now;
    state.consecutive_errors = 0;
    state.items_seen += static_cast<std::int64_t>(commit.articles.size());
    PollFacts facts;
    facts.result = PollResult::changed;
    facts.publish_gap = publish_gap(std::move(publication_dates));
    facts.feed_ttl = parsed->feed.ttl;
    facts.update_period = parsed->feed.update_period;
    facts.fresh_for = job.response.fresh_for;
    result.plan = plan_for(job, state, facts);
    commit.state = state;

    // Validators are saved only with the articles: if this write fails, the next poll
    // fetches the whole feed again and nothing is lost.
    if (auto committed = store.commit(commit); !committed) {
        result.detail =
            "committing " + std::to_string(commit.articles.size()) + " articles: " + committed.error().detail;
        if (stories) {
            forget_assignments(*stories, result.detail);
        }
        return result;  // store_error
    }
    result.outcome = IngestOutcome::committed;
    result.state = std::move(state);
    result.new_articles = commit.articles.size();
    result.alerts.reserve(commit.outbox.size());
    for (auto& entry : commit.outbox) {
        result.alerts.push_back(std::move(entry.watchlist));
    }
    return result;
}

}  // namespace feedwatch::pipeline
