#pragma once
// An item accepted into the store, with where it came from and when we first saw it.
#include <string>
#include <vector>

#include "core/time.hpp"
#include "model/feed.hpp"

namespace feedwatch::model {

struct FeedRef {
    std::string url;
    std::string title;
};

struct Article {
    std::string id;  // article_id(feed url, item id): stable forever
    FeedRef feed;
    Item item;
    core::Instant first_seen;
    std::string story;  // id of the story it joined or started; empty when grouping is off
};

// One reason a watchlist fired: the query term, the field it was found in, and a short
// plain-text snippet around it.
struct Match {
    std::string term;
    std::string field;  // "title", "summary", "content"
    std::string snippet;
};

// A queued webhook delivery. The body is rendered once, when the alert is created, so that
// retries and restarts send the same bytes under the same webhook-id.
struct OutboxEntry {
    std::string webhook;     // webhook name from config
    std::string webhook_id;  // stable id of (watchlist, webhook, article)
    std::string watchlist;
    std::string article_id;
    std::string body;  // JSON payload
    core::Instant created;
    core::Instant next_attempt;
    int attempts = 0;
    // Non-empty: the row waits for a story digest (deliver/story_digest.hpp); the pending rows of
    // one webhook with the same digest key go out together as one message.
    std::string digest = {};
};

}  // namespace feedwatch::model
