#pragma once
// A loopback feed origin: serves documents by path with ETag/Last-Modified, answers
// conditional GETs with 304, and counts hits. Used by the demo and by the tests.
// Thread-safe: documents may be changed from another thread while the server runs.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/asio.hpp"
#include "core/result.hpp"
#include "serve/server.hpp"

namespace feedwatch::demo {

class FeedOrigin {
public:
    static core::Result<std::unique_ptr<FeedOrigin>> listen(asio::io_context& io, const std::string& address);

    // Serves body at path ("/wire.xml"); a changed body gets a new ETag.
    void set(const std::string& path, std::string body, std::string content_type = "application/rss+xml");
    // Answers path with this status and an empty body (e.g. 500, 404), until set() again.
    void set_status(const std::string& path, int status);
    // Inserts item_xml before the first "<item" (or "<entry") of the document at path.
    void publish(const std::string& path, const std::string& item_xml);

    int hits(const std::string& path) const;
    int not_modified_hits(const std::string& path) const;
    std::uint16_t port() const { return m_server->port(); }
    std::string url(const std::string& path) const;
    void stop() { m_server->stop(); }

private:
    struct Document {
        std::string body;
        std::string content_type;
        std::string etag;
        std::string last_modified;
        int status = 200;
        int hits = 0;
        int not_modified_hits = 0;
    };
    serve::Response handle(const serve::Request& request);

    mutable std::mutex m_mutex;
    std::map<std::string, Document> m_documents;
    std::unique_ptr<serve::Server> m_server;
};

}  // namespace feedwatch::demo
