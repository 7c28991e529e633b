#pragma once
// An alert as the API shows it (GET /api/v1/alerts and the stream's events), split into the
// part that never changes once its history row is written, rendered once, and the delivery
// state, which changes with every attempt and is written per request.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "store/queries.hpp"

namespace feedwatch::api {

struct RenderedAlert {
    std::uint64_t sequence = 0;
    std::string watchlist;
    core::Instant created;
    std::vector<std::pair<std::string, std::string>> webhooks;  // (name, webhook-id), in row order
    // The object is {"article","created","deliveries","id","matches","story","watchlist"} (keys in the
    // sorted order nlohmann::json writes them; "story" is the story id or null): head runs up to the deliveries' value, tail
    // from the comma after it; each delivery ends with its webhook's delivery_tails entry.
    std::string head;
    std::string tail;
    std::vector<std::string> delivery_tails;  // per webhook: ,"webhook":…,"webhook_id":…}
};

// Renders the unchanging part of record. Invalid UTF-8 becomes U+FFFD, as everywhere in the API.
RenderedAlert render_alert(const store::AlertRecord& record);

// Appends the alert's JSON object to out with deliveries (store::deliveries of
// alert.webhooks: one per webhook, in order), byte for byte what nlohmann::json::dump gives
// for the same object.
void append_alert_json(std::string& out, const RenderedAlert& alert,
                       const std::vector<store::AlertDelivery>& deliveries);

}  // namespace feedwatch::api
