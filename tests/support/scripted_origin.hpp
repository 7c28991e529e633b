#pragma once
// A loopback HTTP/1.1 origin for fetch and scheduler tests: each path answers from a script
// (status, headers, body, delay; a queue of responses whose last one repeats), every request
// is recorded with its headers, and connections and requests in progress are counted, so
// a test can assert "never more than two at once". Single-threaded: run it on the test's
// io_context.
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/asio.hpp"

namespace feedwatch::test {

struct ScriptedResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds delay{0};  // before the response is written
};

struct RecordedRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::chrono::steady_clock::time_point at;
    std::string header(const std::string& name) const
    {
        const auto found = headers.find(name);
        return found == headers.end() ? std::string() : found->second;
    }
};

class ScriptedOrigin {
public:
    explicit ScriptedOrigin(asio::io_context& io)
        : m_state(std::make_shared<State>(io))
    {
        accept(m_state);
    }
    ~ScriptedOrigin() { close(); }
    ScriptedOrigin(const ScriptedOrigin&) = delete;
    ScriptedOrigin& operator=(const ScriptedOrigin&) = delete;

    // Responses for path, served in order; the last one repeats.
    void script(const std::string& path, std::vector<ScriptedResponse> responses)
    {
        m_state->scripts[path] = std::deque<ScriptedResponse>(responses.begin(), responses.end());
    }
    void script(const std::string& path, ScriptedResponse response) { script(path, std::vector{std::move(response)}); }

    std::uint16_t port() const { return m_state->acceptor.local_endpoint().port(); }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port()) + path; }

    std::vector<RecordedRequest> requests(const std::string& path) const
    {
        std::vector<RecordedRequest> out;
        for (const auto& request : m_state->requests) {
            if (request.path == path) {
                out.push_back(request);
            }
        }
        return out;
    }
    std::size_t request_count() const { return m_state->requests.size(); }
    int connections_accepted() const { return m_state->accepted; }
    int max_concurrent_requests() const { return m_state->max_active; }
    int active_requests() const { return m_state->active; }

    void close()
    {
        boost::system::error_code ignored;
        m_state->acceptor.close(ignored);
        for (auto& weak : m_state->sockets) {
            if (auto socket = weak.lock()) {
                socket->close(ignored);
            }
        }
    }

private:
    struct State {
        explicit State(asio::io_context& io_context) : io(io_context), acceptor(io_context, {asio::ip::make_address("127.0.0.1"), 0}) {}
        asio::io_context& io;
        asio::ip::tcp::acceptor acceptor;
        std::map<std::string, std::deque<ScriptedResponse>> scripts;
        std::vector<RecordedRequest> requests;
        std::vector<std::weak_ptr<asio::ip::tcp::socket>> sockets;
        int accepted = 0;
        int active = 0;
        int max_active = 0;
    };

    static void accept(std::shared_ptr<State> state)
    {
        state->acceptor.async_accept([state](boost::system::error_code error, asio::ip::tcp::socket socket) {
            if (error) {
                return;
            }
            ++state->accepted;
            auto shared = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
            state->sockets.push_back(shared);
            asio::co_spawn(state->io, serve(state, shared), asio::detached);
            accept(state);
        });
    }

    static std::string reason(int status)
    {
        switch (status) {
        case 200: return "OK";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 304: return "Not Modified";
        case 308: return "Permanent Redirect";
        case 410: return "Gone";
        case 429: return "Too Many Requests";
        case 503: return "Service Unavailable";
        default: return "Status";
        }
    }

    static asio::awaitable<void> serve(std::shared_ptr<State> state, std::shared_ptr<asio::ip::tcp::socket> socket)
    {
        asio::streambuf buffer;
        for (;;) {
            boost::system::error_code error;
            const std::size_t length =
                co_await asio::async_read_until(*socket, buffer, "\r\n\r\n", asio::redirect_error(asio::use_awaitable, error));
            if (error) {
                co_return;
            }
            std::string head(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(length));
            buffer.consume(length);
            RecordedRequest request;
            request.at = std::chrono::steady_clock::now();
            std::size_t line_end = head.find("\r\n");
            const std::string request_line = head.substr(0, line_end);
            const auto first_space = request_line.find(' ');
            const auto second_space = request_line.find(' ', first_space + 1);
            request.method = request_line.substr(0, first_space);
            request.path = request_line.substr(first_space + 1, second_space - first_space - 1);
            std::size_t at = line_end + 2;
            while (at < head.size()) {
                const std::size_t end = head.find("\r\n", at);
                const std::string line = head.substr(at, end - at);
                at = end + 2;
                const auto colon = line.find(':');
                if (line.empty() || colon == std::string::npos) {
                    continue;
                }
                std::string name = line.substr(0, colon);
                std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                std::string value = line.substr(colon + 1);
                value.erase(0, value.find_first_not_of(' '));
                request.headers[name] = value;
            }
            state->requests.push_back(request);
            ScriptedResponse response{404, {}, "no script\n", std::chrono::milliseconds{0}};
            if (auto found = state->scripts.find(request.path); found != state->scripts.end() && !found->second.empty()) {
                response = found->second.front();
                if (found->second.size() > 1) {
                    found->second.pop_front();
                }
            }
            ++state->active;
            state->max_active = std::max(state->max_active, state->active);
            if (response.delay.count() > 0) {
                asio::steady_timer timer(state->io, response.delay);
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
            }
            std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) + "\r\n";
            bool has_length = false;
            for (const auto& [name, value] : response.headers) {
                out += name + ": " + value + "\r\n";
                has_length = has_length || name == "Content-Length";
            }
            if (!has_length) {
                out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
            }
            out += "\r\n" + response.body;
            co_await asio::async_write(*socket, asio::buffer(out), asio::redirect_error(asio::use_awaitable, error));
            --state->active;
            if (error) {
                co_return;
            }
        }
    }

    std::shared_ptr<State> m_state;
};

}  // namespace feedwatch::test
