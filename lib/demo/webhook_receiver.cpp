#include "demo/webhook_receiver.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "deliver/signature.hpp"

namespace feedwatch::demo {

core::Result<std::unique_ptr<WebhookReceiver>> WebhookReceiver::listen(asio::io_context& io, const std::string& address,
                                                                       std::vector<std::string> secrets, Observer observer)
{
    auto receiver = std::unique_ptr<WebhookReceiver>(new WebhookReceiver());
    receiver->m_secrets = std::move(secrets);
    receiver->m_observer = std::move(observer);
    auto server = serve::Server::listen(io, address, [raw = receiver.get()](const serve::Request& request) {
        return raw->handle(request);
    });
    if (!server) {
        return tl::unexpected(server.error());
    }
    receiver->m_server = std::move(*server);
    return receiver;
}

void WebhookReceiver::set_status(int status)
{
    const std::lock_guard lock(m_mutex);
    m_status = status;
}

std::vector<Delivery> WebhookReceiver::deliveries() const
{
    const std::lock_guard lock(m_mutex);
    return m_deliveries;
}

serve::Response WebhookReceiver::handle(const serve::Request& request)
{
    if (request.method != "POST") {
        return serve::Response{405, "text/plain", {}, "POST only\n"};
    }
    Delivery delivery{request.header("webhook-id"), request.header("webhook-timestamp"),
                      request.header("webhook-signature"), request.header("content-type"), request.body, false};
    std::int64_t timestamp = 0;
    const auto& text = delivery.timestamp;
    const bool has_timestamp =
        std::from_chars(text.data(), text.data() + text.size(), timestamp).ec == std::errc{} && !text.empty();
    if (!m_secrets.empty() && has_timestamp) {
        delivery.signature_valid =
            deliver::verify(m_secrets, delivery.id, timestamp, delivery.body, delivery.signature);
    }
    int status = 200;
    {
        const std::lock_guard lock(m_mutex);
        status = m_status;
        m_deliveries.push_back(delivery);
    }
    if (m_observer) {
        m_observer(delivery);
    }
    return serve::Response{status, "text/plain", {}, status < 300 ? "ok\n" : "failing on purpose\n"};
}

std::string describe_alert(const Delivery& delivery)
{
    const auto payload = nlohmann::json::parse(delivery.body, nullptr, false);
    if (payload.is_discarded() || !payload.contains("data")) {
        return "webhook " + delivery.id + ": unreadable payload\n";
    }
    const auto& data = payload["data"];
    const auto& article = data.value("article", nlohmann::json::object());
    const auto& feed = article.value("feed", nlohmann::json::object());
    std::string out = "\n\xF0\x9F\x94\x94 ALERT  [" + data.value("watchlist", "") + "]  " + feed.value("title", "") + "\n";
    out += "   " + article.value("title", "") + "\n";
    out += "   " + article.value("link", "") + "\n";
    for (const auto& match : data.value("matches", nlohmann::json::array())) {
        out += "   matched \"" + match.value("term", "") + "\" in " + match.value("field", "") + ": " +
               match.value("snippet", "") + "\n";
    }
    out += "   webhook-id " + delivery.id + ", signature " +
           (delivery.signature.empty() ? std::string("absent") : delivery.signature_valid ? "valid" : "INVALID") + "\n";
    return out;
}

}  // namespace feedwatch::demo
