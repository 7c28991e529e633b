#pragma once
// The daemon's alert-queue endpoints, served on its listener ([daemon] listen) so that
// `feedwatch alerts` works while the daemon runs (it holds the RocksDB lock; a secondary
// instance could read but not requeue):
//   GET  /api/v1/alerts?state=pending|dead   -> {"state":…,"alerts":[{…}]}
//   POST /api/v1/alerts/requeue  {"id":"<webhook-id>"} or {"dead":true} -> {"requeued":N}
// The JSON is an object with an "alerts" array so that later fields (paging, filters) can be
// added without breaking clients.
#include <string>
#include <string_view>

#include "deliver/deliverer.hpp"
#include "store/store.hpp"

namespace feedwatch::deliver {

struct ApiResponse {
    int status = 200;
    std::string body;  // JSON
};

// True when target (path and query) is one of the endpoints above.
bool is_alerts_api(std::string_view target);

// Answers one request; wakes the deliverer after a requeue. 400 for a malformed request, 404
// when an id is unknown, 405 for a wrong method, 500 when the store fails.
ApiResponse handle_alerts_api(store::Store& store, Deliverer& deliverer, std::string_view method,
                              std::string_view target, std::string_view body);

}  // namespace feedwatch::deliver
