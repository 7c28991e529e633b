#pragma once
// The daemon's read-only HTTP API and live alert page, served on [daemon] listen:
//   GET /                        the live alert page (embedded HTML/CSS/JS, no external resources)
//   GET /api/v1/alerts           ?watchlist=&since=&before=&limit=  newest first, with delivery
//                                state per webhook -> {"alerts":[…],"next":"<before cursor>"|null}
//   GET /api/v1/alerts/stream    Server-Sent Events, one "alert" event per new alert, id = the
//                                alert's sequence; resumes after Last-Event-ID (header, or
//                                ?last_event_id= for the first connection); ?watchlist= filters
//   GET /api/v1/articles         ?q=<watchlist query>&feed=&since=&before=&limit=
//                                -> {"articles":[…],"scanned":N,"next":…}
//   GET /api/v1/stories          ?watchlist=&since=&before=&limit=  stories newest first (by when
//                                the store first saw them): id, first_seen, last_seen, title
//                                (first article's), articles, outlets, watchlists that alerted
//                                on it -> {"stories":[…],"next":"<before cursor>"|null}
//   GET /api/v1/stories/{id}     one story with "reports": its articles in arrival order; 404
//                                for an unknown id
//   GET /api/v1/feeds            configured feeds with their stored state -> {"feeds":[…]}
//   GET /api/v1/watchlists       -> {"watchlists":[…]}
// since: RFC 3339 or a duration back from now ("15m"). limit: 1..500 (alerts), 1..200
// (articles, stories). An unknown or invalid parameter is a 400 {"error":"…","parameter":"…"}.
// With a token configured, /api/ requires "Authorization: Bearer <token>" (or
// ?access_token=, for EventSource which cannot set headers); the page itself holds no data
// and is served without it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "serve/server.hpp"
#include "store/store.hpp"

namespace feedwatch::api {

class Api {
public:
    // store and config outlive the Api; config is read, not copied, until set_config names
    // another. token empty: no authentication (loopback listeners only; the config refuses
    // anything else).
    Api(store::Store& store, const config::Config& config);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    // True for "/" and the /api/v1/ paths above.
    static bool handles(std::string_view target);
    serve::Response handle(const serve::Request& request);
    // True when no token is configured or request carries it (for other /api/ endpoints
    // served beside these, such as the alert queue's requeue).
    bool authorized(const serve::Request& request) const;

    // Replaces the feeds and watchlists shown (after a reload); config outlives the Api or
    // the next call.
    void set_config(const config::Config& config);

    // Reads the alerts committed since the last call and pushes one event per alert to every
    // open stream. Call on the io_context thread after a commit that queued alerts.
    void publish_new_alerts();

    // Open streams (for tests and metrics).
    std::size_t stream_count() const;

    // Ends every stream. Idempotent.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Constant-time comparison (the time taken does not depend on where the strings differ).
bool same_token(std::string_view left, std::string_view right);

// The embedded page.
std::string_view page_html();

}  // namespace feedwatch::api
