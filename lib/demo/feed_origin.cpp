#include "demo/feed_origin.hpp"

#include <ctime>

#include "core/digest.hpp"

namespace feedwatch::demo {
namespace {

std::string http_date_now()
{
    const std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    return buffer;
}

}  // namespace

core::Result<std::unique_ptr<FeedOrigin>> FeedOrigin::listen(asio::io_context& io, const std::string& address)
{
    auto origin = std::unique_ptr<FeedOrigin>(new FeedOrigin());
    auto server = serve::Server::listen(io, address, [raw = origin.get()](const serve::Request& request) {
        return raw->handle(request);
    });
    if (!server) {
        return tl::unexpected(server.error());
    }
    origin->m_server = std::move(*server);
    return origin;
}

void FeedOrigin::set(const std::string& path, std::string body, std::string content_type)
{
    const std::lock_guard lock(m_mutex);
    Document& document = m_documents[path];
    document.etag = "\"" + core::sha256_hex(body).substr(0, 16) + "\"";
    document.last_modified = http_date_now();
    document.body = std::move(body);
    document.content_type = std::move(content_type);
    document.status = 200;
}

void FeedOrigin::set_status(const std::string& path, int status)
{
    const std::lock_guard lock(m_mutex);
    m_documents[path].status = status;
}

void FeedOrigin::publish(const std::string& path, const std::string& item_xml)
{
    std::string body;
    std::string content_type;
    {
        const std::lock_guard lock(m_mutex);
        const Document& document = m_documents[path];
        body = document.body;
        content_type = document.content_type;
    }
    auto at = body.find("<item");
    if (at == std::string::npos) {
        at = body.find("<entry");
    }
    if (at == std::string::npos) {
        at = body.rfind("</channel>");
    }
    body.insert(at == std::string::npos ? body.size() : at, item_xml + "\n");
    set(path, std::move(body), std::move(content_type));
}

int FeedOrigin::hits(const std::string& path) const
{
    const std::lock_guard lock(m_mutex);
    const auto it = m_documents.find(path);
    return it == m_documents.end() ? 0 : it->second.hits;
}

int FeedOrigin::not_modified_hits(const std::string& path) const
{
    const std::lock_guard lock(m_mutex);
    const auto it = m_documents.find(path);
    return it == m_documents.end() ? 0 : it->second.not_modified_hits;
}

std::string FeedOrigin::url(const std::string& path) const
{
    return "http://127.0.0.1:" + std::to_string(port()) + path;
}

serve::Response FeedOrigin::handle(const serve::Request& request)
{
    const std::lock_guard lock(m_mutex);
    const std::string path = request.target.substr(0, request.target.find('?'));
    const auto it = m_documents.find(path);
    if (it == m_documents.end()) {
        return serve::Response{404, "text/plain", {}, "no such feed\n"};
    }
    Document& document = it->second;
    ++document.hits;
    if (document.status != 200) {
        return serve::Response{document.status, "text/plain", {}, ""};
    }
    const std::vector<serve::Header> validators{{"ETag", document.etag}, {"Last-Modified", document.last_modified}};
    if (request.header("if-none-match") == document.etag) {
        ++document.not_modified_hits;
        return serve::Response{304, document.content_type, validators, ""};
    }
    return serve::Response{200, document.content_type, validators, document.body};
}

}  // namespace feedwatch::demo
