#pragma once
// A loopback webhook receiver that checks Standard Webhooks signatures and records every
// delivery. Used by the demo (which prints each alert) and by the tests.
// Thread-safe: deliveries may be read from another thread while the server runs.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/result.hpp"
#include "serve/server.hpp"

namespace feedwatch::demo {

struct Delivery {
    std::string id;         // webhook-id
    std::string timestamp;  // webhook-timestamp
    std::string signature;  // webhook-signature
    std::string content_type;
    std::string body;
    bool signature_valid = false;  // false also when unsigned
};

class WebhookReceiver {
public:
    using Observer = std::function<void(const Delivery&)>;

    // secrets: HMAC keys accepted (empty: signatures not checked, signature_valid false).
    static core::Result<std::unique_ptr<WebhookReceiver>> listen(asio::io_context& io, const std::string& address,
                                                                 std::vector<std::string> secrets,
                                                                 Observer observer = {});
    // Answer with this status from now on (default 200).
    void set_status(int status);
    std::vector<Delivery> deliveries() const;
    std::uint16_t port() const { return m_server->port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook"; }
    void stop() { m_server->stop(); }

private:
    serve::Response handle(const serve::Request& request);

    std::vector<std::string> m_secrets;
    Observer m_observer;
    mutable std::mutex m_mutex;
    int m_status = 200;
    std::vector<Delivery> m_deliveries;
    std::unique_ptr<serve::Server> m_server;
};

// A human-readable rendering of one alert payload, for terminals.
std::string describe_alert(const Delivery& delivery);

}  // namespace feedwatch::demo
