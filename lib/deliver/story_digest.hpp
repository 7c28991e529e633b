#pragma once
// Story digests: a webhook with story_updates = "digest" gets the watchlist.update alerts of a
// story as one message per digest interval. Each update is queued in the outbox as usual
// (durable from its poll's commit, under its own webhook-id), due at the end of its slot and
// tagged with the slot's key; the deliverer sends the due rows of one key together
// (formats.hpp, render_story_digest) and removes them once the receiver answered 2xx.
#include <chrono>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace feedwatch::deliver {

struct DigestSlot {
    std::string key;   // "<story id>@<slot end, unix seconds>"
    core::Instant due;  // the slot's end: when its rows are sent
};

// The slot an update of story created at `created` joins. Slots are aligned on multiples of
// interval since the epoch, so updates of one story within one interval share a key, an
// update after the slot's end starts the next slot, and a restart computes the same slots.
// interval below one second counts as one second.
DigestSlot story_digest_slot(std::string_view story, core::Instant created, std::chrono::seconds interval);

// The webhook-id of the digest message of key for webhook: stable, so that a digest sent again
// after a crash (before its rows were removed) carries the id the receiver already saw.
std::string story_digest_id(std::string_view webhook, std::string_view key);

}  // namespace feedwatch::deliver
