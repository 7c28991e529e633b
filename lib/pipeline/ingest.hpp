#pragma once
// What happens to a fetched 200 body, off the event loop: parse -> dedupe -> match -> story
// (assign, alert type) -> plan the next poll -> commit (one WriteBatch). Plain blocking code over values and the store,
// so the app can run it on a worker thread and a test can call it directly.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "fetch/fetcher.hpp"
#include "match/matcher.hpp"
#include "pipeline/poll_policy.hpp"
#include "pipeline/story_book.hpp"
#include "pipeline/story_updates.hpp"
#include "store/store.hpp"

namespace feedwatch::pipeline {

// Everything ingest needs, by value: the loop thread keeps changing its own copies.
struct IngestJob {
    config::FeedConfig feed;
    PollBounds bounds;
    double jitter = 0.0;  // the uniform draw for plan_next_poll
    store::FeedState state;
    fetch::FeedResponse response;  // outcome ok
    std::shared_ptr<const match::Matcher> matcher;
    // Story grouping; null when [story] enabled is false (alerts are then all
    // watchlist.match, without a story).
    std::shared_ptr<StoryBook> stories;
    // How each webhook takes watchlist.update alerts; null: every webhook gets each one.
    std::shared_ptr<const StoryUpdatePolicies> story_updates;
};

enum class IngestOutcome {
    committed,    // articles, validators and alerts are in the store
    parse_error,  // not a feed: the feed state (one more error) is saved
    store_error,  // nothing written; poll again soon
};

struct IngestResult {
    IngestOutcome outcome = IngestOutcome::store_error;
    std::string detail;                  // parse or store error
    std::vector<std::string> recovered;  // parse errors the parser worked around
    store::FeedState state;              // as written
    PollPlan plan;
    std::size_t new_articles = 0;
    std::size_t duplicates = 0;
    std::map<std::string, std::size_t> matches;  // by watchlist
    std::vector<std::string> alerts;             // watchlist of each queued alert
    // Story grouping (when on): new articles that started or joined a story, matching
    // articles alerted as watchlist.update by watchlist, and the open stories after this
    // poll (absent when grouping is off or the poll brought no new article).
    std::size_t stories_started = 0;
    std::size_t stories_joined = 0;
    std::map<std::string, std::size_t> story_updates;
    std::optional<std::size_t> open_stories;
};

IngestResult ingest(store::Store& store, IngestJob job);

}  // namespace feedwatch::pipeline
