#include "http/client.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http/address_policy.hpp"

namespace feedwatch::http {

using core::ErrorCode;

std::string Response::header(std::string_view name) const
{
    for (const auto& h : headers) {
        if (h.name == name) {
            return h.value;
        }
    }
    return {};
}

std::optional<core::Instant> parse_http_date(std::string_view text)
{
    const std::string copy(text);
    const time_t parsed = curl_getdate(copy.c_str(), nullptr);
    if (parsed < 0) {
        return std::nullopt;
    }
    return core::Instant{std::chrono::seconds{parsed}};
}

namespace {

constexpr const char* k_default_user_agent = "feedwatch/" FEEDWATCH_VERSION " (+https://github.com/feedwatch/feedwatch)";

void global_init_once()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("curl_global_init failed");
        }
    });
}

std::string to_lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
        text.remove_suffix(1);
    }
    return text;
}

bool is_token(std::string_view text)
{
    if (text.empty()) {
        return false;
    }
    return std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    });
}

bool has_line_break(std::string_view text)
{
    return text.find_first_of("\r\n") != std::string_view::npos || text.find('\0') != std::string_view::npos;
}

// URL for error details, without user:password.
std::string redact_url(const std::string& url)
{
    CURLU* handle = curl_url();
    if (handle == nullptr) {
        return url;
    }
    std::string out = url;
    if (curl_url_set(handle, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        curl_url_set(handle, CURLUPART_USER, nullptr, 0);
        curl_url_set(handle, CURLUPART_PASSWORD, nullptr, 0);
        char* text = nullptr;
        if (curl_url_get(handle, CURLUPART_URL, &text, 0) == CURLUE_OK && text != nullptr) {
            out = text;
            curl_free(text);
        }
    }
    curl_url_cleanup(handle);
    return out;
}

// Checks syntax and scheme before curl sees the URL, for a precise error.
core::Result<void> check_url(const std::string& url)
{
    CURLU* handle = curl_url();
    if (handle == nullptr) {
        return core::fail(ErrorCode::io, "out of memory");
    }
    core::Result<void> result;
    const CURLUcode parsed = curl_url_set(handle, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
    if (parsed != CURLUE_OK) {
        result = core::fail(ErrorCode::invalid_argument,
                            "malformed URL " + redact_url(url) + ": " + curl_url_strerror(parsed));
    } else {
        char* scheme = nullptr;
        if (curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || scheme == nullptr) {
            result = core::fail(ErrorCode::invalid_argument, "URL without scheme: " + redact_url(url));
        } else {
            const std::string lower = to_lower(scheme);
            curl_free(scheme);
            if (lower != "http" && lower != "https") {
                result = core::fail(ErrorCode::blocked, "scheme " + lower + " not allowed: " + redact_url(url));
            }
        }
    }
    curl_url_cleanup(handle);
    return result;
}

// One transfer: owns the easy handle and everything curl points into while it runs.
struct Transfer {
    explicit Transfer(asio::io_context& io, Request r) : request(std::move(r)), done(io) {}
    ~Transfer()
    {
        if (easy != nullptr) {
            curl_easy_cleanup(easy);
        }
        if (header_list != nullptr) {
            curl_slist_free_all(header_list);
        }
    }
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    Request request;
    void* owner = nullptr;  // the Client::Impl that started it
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    char error_buffer[CURL_ERROR_SIZE] = {};
    Response response;
    bool body_too_large = false;
    std::string refused_address;  // set by the open-socket check
    std::vector<long> statuses;  // of every response seen (redirects, then the final one)
    // Expires "never"; cancelled when the transfer finishes, which resumes perform().
    asio::steady_timer done;
    bool finished = false;
    core::Result<Response> result;
};

// One socket curl asked us to watch. Asio only borrows the descriptor: it is released,
// never closed, because curl owns and closes it.
struct SocketWatch {
    SocketWatch(asio::io_context& io, curl_socket_t socket_fd) : descriptor(io), fd(socket_fd) { descriptor.assign(socket_fd); }
    ~SocketWatch() { release(); }
    SocketWatch(const SocketWatch&) = delete;
    SocketWatch& operator=(const SocketWatch&) = delete;

    void release()
    {
        if (!released) {
            released = true;
            boost::system::error_code ignored;
            descriptor.cancel(ignored);
            (void)descriptor.release();
        }
    }

    asio::posix::stream_descriptor descriptor;
    curl_socket_t fd;
    int wanted = CURL_POLL_NONE;  // what curl last asked for
    bool read_pending = false;
    bool write_pending = false;
    bool released = false;
};

}  // namespace

struct Client::Impl {
    Impl(asio::io_context& io_context, ClientOptions opts)
        : io(io_context), options(std::move(opts)), timer(io_context)
    {
        if (options.user_agent.empty()) {
            options.user_agent = k_default_user_agent;
        }
        global_init_once();
        multi = curl_multi_init();
        if (multi == nullptr) {
            throw std::runtime_error("curl_multi_init failed");
        }
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
        curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
        curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
        curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
        curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options.max_total_connections);
        curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections);
        // The idle-connection cache defaults to 4x the transfers currently added, which is
        // small between bursts (polls hold their slot while the body is parsed, not a
        // transfer): connections to many hosts were closed and opened again on every poll.
        curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_total_connections);
        curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    }

    ~Impl()
    {
        stop();
        // Handlers still queued in the io_context check this token before touching us.
        life.reset();
    }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    core::Result<std::shared_ptr<Transfer>> start(Request request);
    void finish(Transfer& transfer, CURLcode code);
    void stop();

    void check_done();
    void socket_ready(const std::shared_ptr<SocketWatch>& watch, int direction);
    void arm(const std::shared_ptr<SocketWatch>& watch);
    void forget_socket(curl_socket_t fd);

    static int on_socket(CURL* easy, curl_socket_t fd, int what, void* userp, void* socketp);
    static int on_timer(CURLM* multi, long timeout_ms, void* userp);
    static curl_socket_t on_open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* address);
    static int on_close_socket(void* clientp, curl_socket_t fd);
    static size_t on_write(char* data, size_t size, size_t count, void* userp);
    static size_t on_header(char* data, size_t size, size_t count, void* userp);

    asio::io_context& io;
    ClientOptions options;
    CURLM* multi = nullptr;
    asio::steady_timer timer;
    // When the pending wait of timer fires, if any. curl moves its timeout on nearly every
    // call; re-arming an Asio timer each time reprograms the reactor's timerfd, which took a
    // sixth of the loop thread in a cycle of 304s. The timer is re-armed only to fire
    // earlier: a wait that fires before curl's deadline costs one socket_action that does
    // nothing but report the remaining time again.
    std::optional<asio::steady_timer::time_point> timer_due;
    bool timeout_posted = false;  // a zero timeout is run by a post, not a timer
    void run_timeout();
    // Finished easy handles, reset, for the next transfers: a new handle allocates and frees
    // its buffers (tens of KiB) per request, which showed as malloc consolidation on the loop
    // thread in cycles of 304s. Bounded by the most transfers ever in flight at once.
    std::vector<CURL*> idle_handles;
    std::size_t most_in_flight = 0;
    CURL* take_handle();
    void give_back(CURL* easy);
    std::unordered_map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets;
    std::unordered_map<CURL*, std::shared_ptr<Transfer>> transfers;
    bool stopped = false;
    // Asio handlers hold a weak_ptr to this: expired means the Impl is gone.
    std::shared_ptr<int> life = std::make_shared<int>(0);
};

core::Result<std::shared_ptr<Transfer>> Client::Impl::start(Request request)
{
    if (stopped) {
        return core::fail(ErrorCode::cancelled, "client stopped");
    }
    if (auto checked = check_url(request.url); !checked) {
        return tl::unexpected(std::move(checked.error()));
    }
    if (!is_token(request.method)) {
        return core::fail(ErrorCode::invalid_argument, "invalid HTTP method '" + request.method + "'");
    }
    for (const auto& header : request.headers) {
        if (!is_token(header.name) || has_line_break(header.value)) {
            return core::fail(ErrorCode::invalid_argument, "invalid request header '" + header.name + "'");
        }
    }

    auto transfer = std::make_shared<Transfer>(io, std::move(request));
    transfer->owner = this;
    transfer->done.expires_at(asio::steady_timer::time_point::max());
    const Request& r = transfer->request;
    CURL* easy = take_handle();
    if (easy == nullptr) {
        return core::fail(ErrorCode::io, "curl_easy_init failed");
    }
    transfer->easy = easy;

    bool has_expect = false;
    for (const auto& header : r.headers) {
        has_expect = has_expect || to_lower(header.name) == "expect";
        const std::string line = header.name + ": " + header.value;
        curl_slist* next = curl_slist_append(transfer->header_list, line.c_str());
        if (next == nullptr) {
            return core::fail(ErrorCode::io, "out of memory");
        }
        transfer->header_list = next;
    }
    if (!has_expect && !r.body.empty()) {
        // No "Expect: 100-continue" round trip: small servers do not answer it.
        curl_slist* next = curl_slist_append(transfer->header_list, "Expect:");
        if (next == nullptr) {
            return core::fail(ErrorCode::io, "out of memory");
        }
        transfer->header_list = next;
    }

    const long timeout_ms = std::max<long>(1, static_cast<long>(r.timeout.count()));
    const long connect_timeout_ms =
        std::clamp<long>(static_cast<long>(r.connect_timeout.count()), 1, timeout_ms);
    const long low_speed_seconds =
        std::clamp<long>(static_cast<long>(r.low_speed_time.count()), 1, std::max<long>(1, timeout_ms / 1000));

    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
    curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error_buffer);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, r.max_redirects > 0 ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(std::max(0, r.max_redirects)));
    curl_easy_setopt(easy, CURLOPT_PROXY, "");  // ignore proxies from the environment
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // everything this libcurl decodes
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, std::max<long>(1, r.low_speed_limit));
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, low_speed_seconds);
    // Refuses a declared Content-Length early; decoded bytes are counted in on_write.
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(std::min<std::uint64_t>(
                                                          r.max_body, std::numeric_limits<curl_off_t>::max())));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &Impl::on_open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, transfer.get());
    // The close callback outlives the easy handle (curl keeps the connection): point it at
    // the Impl, which outlives the multi handle.
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &Impl::on_close_socket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
    if (transfer->header_list != nullptr) {
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->header_list);
    }
    if (r.method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (r.method != "GET") {
        if (r.method == "POST" || !r.body.empty()) {
            curl_easy_setopt(easy, CURLOPT_POST, 1L);
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());  // transfer keeps the body alive
        }
        if (r.method != "POST") {
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
        }
    }

    const CURLMcode added = curl_multi_add_handle(multi, easy);
    if (added != CURLM_OK) {
        return core::fail(ErrorCode::io, std::string("curl_multi_add_handle: ") + curl_multi_strerror(added));
    }
    transfers.emplace(easy, transfer);
    most_in_flight = std::max(most_in_flight, transfers.size());
    return transfer;
}

CURL* Client::Impl::take_handle()
{
    if (idle_handles.empty()) {
        return curl_easy_init();
    }
    CURL* easy = idle_handles.back();
    idle_handles.pop_back();
    return easy;
}

void Client::Impl::give_back(CURL* easy)
{
    if (stopped || idle_handles.size() >= most_in_flight) {
        curl_easy_cleanup(easy);
        return;
    }
    curl_easy_reset(easy);  // every option back to its default: nothing of the last request stays
    idle_handles.push_back(easy);
}

void Client::Impl::finish(Transfer& transfer, CURLcode code)
{
    CURL* easy = transfer.easy;
    const std::string url = code == CURLE_OK ? std::string() : redact_url(transfer.request.url);
    if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        transfer.response.status = status;
        char* effective = nullptr;
        if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective != nullptr) {
            transfer.response.effective_url = effective;
        }
        curl_off_t total_us = 0;
        curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
        transfer.response.elapsed = std::chrono::microseconds(total_us);
        for (std::size_t i = 0; i + 1 < transfer.statuses.size(); ++i) {
            if (transfer.statuses[i] >= 300 && transfer.statuses[i] <= 399) {
                transfer.response.redirect_statuses.push_back(transfer.statuses[i]);
            }
        }
        transfer.result = std::move(transfer.response);
    } else if (!transfer.refused_address.empty()) {
        transfer.result =
            core::fail(ErrorCode::blocked, "refused private address " + transfer.refused_address + " for " + url);
    } else if (transfer.body_too_large ||
               code == CURLE_FILESIZE_EXCEEDED) {
        transfer.result = core::fail(ErrorCode::too_large, "body larger than " +
                                                               std::to_string(transfer.request.max_body) +
                                                               " bytes for " + url);
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        const std::string text = transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code);
        transfer.result = core::fail(ErrorCode::timeout, text + " for " + url);
    } else if (code == CURLE_TOO_MANY_REDIRECTS) {
        transfer.result = core::fail(ErrorCode::blocked, "too many redirects (limit " +
                                                             std::to_string(transfer.request.max_redirects) +
                                                             ") for " + url);
    } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        const std::string text = transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code);
        transfer.result = core::fail(ErrorCode::blocked, text + " for " + url);
    } else if (code == CURLE_URL_MALFORMAT) {
        transfer.result = core::fail(ErrorCode::invalid_argument, "malformed URL " + url);
    } else {
        const std::string text = transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code);
        transfer.result = core::fail(ErrorCode::network, text + " for " + url);
    }
    curl_multi_remove_handle(multi, easy);
    transfer.easy = nullptr;  // the handle is reused; the transfer keeps its own results
    give_back(easy);
    transfer.finished = true;
    transfer.done.cancel();
    transfers.erase(easy);  // perform() still holds the transfer
}

void Client::Impl::check_done()
{
    int pending = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &pending)) {
        if (message->msg != CURLMSG_DONE) {
            continue;
        }
        CURL* easy = message->easy_handle;
        const CURLcode code = message->data.result;
        const auto found = transfers.find(easy);
        if (found != transfers.end()) {
            const auto keep = found->second;
            finish(*keep, code);
        }
    }
}

void Client::Impl::stop()
{
    if (stopped) {
        return;
    }
    stopped = true;
    auto in_flight = std::move(transfers);
    transfers.clear();
    for (auto& [easy, transfer] : in_flight) {
        curl_multi_remove_handle(multi, easy);
        transfer->result = core::fail(ErrorCode::cancelled, "client stopped during " + redact_url(transfer->request.url));
        transfer->finished = true;
        transfer->done.cancel();
    }
    for (CURL* easy : idle_handles) {
        curl_easy_cleanup(easy);
    }
    idle_handles.clear();
    // Closes cached connections (through on_close_socket) so nothing keeps run() busy.
    if (multi != nullptr) {
        curl_multi_cleanup(multi);
        multi = nullptr;
    }
    for (auto& [fd, watch] : sockets) {
        watch->release();
    }
    sockets.clear();
    timer.cancel();
}

void Client::Impl::forget_socket(curl_socket_t fd)
{
    const auto found = sockets.find(fd);
    if (found != sockets.end()) {
        found->second->release();
        sockets.erase(found);
    }
}

void Client::Impl::arm(const std::shared_ptr<SocketWatch>& watch)
{
    std::weak_ptr<int> alive = life;
    if ((watch->wanted & CURL_POLL_IN) != 0 && !watch->read_pending) {
        watch->read_pending = true;
        watch->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                     [this, alive, watch](boost::system::error_code error) {
                                         watch->read_pending = false;
                                         if (watch->released || alive.expired() ||
                                             error == asio::error::operation_aborted) {
                                             return;
                                         }
                                         socket_ready(watch, error ? CURL_CSELECT_ERR : CURL_CSELECT_IN);
                                     });
    }
    if ((watch->wanted & CURL_POLL_OUT) != 0 && !watch->write_pending) {
        watch->write_pending = true;
        watch->descriptor.async_wait(asio::posix::stream_descriptor::wait_write,
                                     [this, alive, watch](boost::system::error_code error) {
                                         watch->write_pending = false;
                                         if (watch->released || alive.expired() ||
                                             error == asio::error::operation_aborted) {
                                             return;
                                         }
                                         socket_ready(watch, error ? CURL_CSELECT_ERR : CURL_CSELECT_OUT);
                                     });
    }
}

void Client::Impl::socket_ready(const std::shared_ptr<SocketWatch>& watch, int direction)
{
    if (stopped) {
        return;
    }
    // A wait for a direction curl no longer wants is stale: ignore it.
    const int wanted_bit = direction == CURL_CSELECT_IN ? CURL_POLL_IN : direction == CURL_CSELECT_OUT ? CURL_POLL_OUT : 0;
    if (wanted_bit != 0 && (watch->wanted & wanted_bit) == 0) {
        return;
    }
    int running = 0;
    curl_multi_socket_action(multi, watch->fd, direction, &running);
    check_done();
    if (!stopped && !watch->released) {
        arm(watch);
    }
}

int Client::Impl::on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*)
{
    auto& self = *static_cast<Impl*>(userp);
    if (what == CURL_POLL_REMOVE) {
        self.forget_socket(fd);
        return 0;
    }
    if (self.stopped) {
        return 0;
    }
    // No exception may unwind through curl's C frames.
    try {
        auto found = self.sockets.find(fd);
        if (found == self.sockets.end()) {
            found = self.sockets.emplace(fd, std::make_shared<SocketWatch>(self.io, fd)).first;
        }
        found->second->wanted = what;
        self.arm(found->second);
        return 0;
    } catch (const std::exception&) {
        self.forget_socket(fd);
        return -1;  // curl fails the transfers using this socket
    }
}

int Client::Impl::on_timer(CURLM*, long timeout_ms, void* userp)
{
    auto& self = *static_cast<Impl*>(userp);
    if (self.stopped) {
        return 0;
    }
    if (timeout_ms < 0) {
        return 0;  // a wait still pending fires early, which is harmless (see timer_due)
    }
    // Never call curl_multi_socket_action from inside this callback: schedule it.
    try {
        std::weak_ptr<int> alive = self.life;
        Impl* impl = &self;
        if (timeout_ms == 0) {
            if (!self.timeout_posted) {
                self.timeout_posted = true;
                asio::post(self.io, [impl, alive] {
                    if (!alive.expired()) {
                        impl->timeout_posted = false;
                        impl->run_timeout();
                    }
                });
            }
            return 0;
        }
        const auto due = asio::steady_timer::clock_type::now() + std::chrono::milliseconds(timeout_ms);
        if (self.timer_due && *self.timer_due <= due) {
            return 0;  // the pending wait fires early enough
        }
        self.timer_due = due;
        self.timer.expires_at(due);
        self.timer.async_wait([impl, alive](boost::system::error_code error) {
            if (error || alive.expired()) {
                return;
            }
            impl->timer_due.reset();
            impl->run_timeout();
        });
        return 0;
    } catch (const std::exception&) {
        return -1;
    }
}

void Client::Impl::run_timeout()
{
    if (stopped) {
        return;
    }
    int running = 0;
    curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done();
}

curl_socket_t Client::Impl::on_open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* address)
{
    auto& transfer = *static_cast<Transfer*>(clientp);
    if (purpose != CURLSOCKTYPE_IPCXN || (address->family != AF_INET && address->family != AF_INET6)) {
        return CURL_SOCKET_BAD;
    }
    asio::ip::tcp::endpoint endpoint;
    if (address->addrlen > endpoint.capacity()) {
        return CURL_SOCKET_BAD;
    }
    std::memcpy(endpoint.data(), &address->addr, address->addrlen);
    endpoint.resize(address->addrlen);
    const asio::ip::address ip = endpoint.address();
    if (transfer.request.private_networks == PrivateNetworks::refuse && is_private_address(ip)) {
        try {
            transfer.refused_address = ip.to_string();
        } catch (const std::exception&) {
            transfer.refused_address = "(unprintable)";
        }
        return CURL_SOCKET_BAD;
    }
    const curl_socket_t fd = ::socket(address->family, address->socktype, address->protocol);
    if (fd != CURL_SOCKET_BAD) {
        // curl may close a socket it did not open here (the resolver's socketpair) before it
        // reports CURL_POLL_REMOVE: drop a stale watch that carries the same number.
        static_cast<Impl*>(transfer.owner)->forget_socket(fd);
    }
    return fd;
}

int Client::Impl::on_close_socket(void* clientp, curl_socket_t fd)
{
    // Deregister from Asio (epoll) before the descriptor number can be reused.
    static_cast<Impl*>(clientp)->forget_socket(fd);
    return ::close(fd);
}

size_t Client::Impl::on_write(char* data, size_t size, size_t count, void* userp)
{
    auto& transfer = *static_cast<Transfer*>(userp);
    const size_t bytes = size * count;
    // Counted after content decoding: MAXFILESIZE alone misses a gzip bomb.
    if (transfer.response.body.size() + bytes > transfer.request.max_body) {
        transfer.body_too_large = true;
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    try {
        transfer.response.body.append(data, bytes);
    } catch (const std::exception&) {
        return 0;
    }
    return bytes;
}

size_t Client::Impl::on_header(char* data, size_t size, size_t count, void* userp)
{
    auto& transfer = *static_cast<Transfer*>(userp);
    const size_t bytes = size * count;
    const std::string_view line(data, bytes);
    auto& headers = transfer.response.headers;
    if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
        headers.clear();  // a new response: a redirect, a 100 Continue
        // "HTTP/1.1 301 Moved Permanently": the status is the second word.
        const auto space = line.find(' ');
        if (space != std::string_view::npos && line.size() >= space + 4) {
            const std::string_view code = line.substr(space + 1, 3);
            if (std::all_of(code.begin(), code.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
                try {
                    transfer.statuses.push_back(std::stol(std::string(code)));
                } catch (const std::exception&) {
                    return 0;
                }
            }
        }
        return bytes;
    }
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        const auto rest = trim(line);
        if (!headers.empty() && !rest.empty()) {  // obsolete line folding
            try {
                headers.back().value.append(" ").append(rest);
            } catch (const std::exception&) {
                return 0;
            }
        }
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
        return bytes;  // the blank line ending a header block
    }
    try {
        headers.push_back(Header{to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    } catch (const std::exception&) {
        return 0;
    }
    return bytes;
}

Client::Client(asio::io_context& io, ClientOptions options) : m_impl(std::make_unique<Impl>(io, std::move(options))) {}

Client::~Client() = default;

void Client::stop()
{
    m_impl->stop();
}

asio::awaitable<core::Result<Response>> Client::perform(Request request)
{
    auto started = m_impl->start(std::move(request));
    if (!started) {
        co_return tl::unexpected(std::move(started.error()));
    }
    const std::shared_ptr<Transfer> transfer = std::move(*started);
    if (!transfer->finished) {
        boost::system::error_code ignored;
        auto token = asio::redirect_error(asio::use_awaitable, ignored);
        co_await transfer->done.async_wait(token);
    }
    // Do not touch the Client from here on: it may have been destroyed meanwhile.
    co_return std::move(transfer->result);
}

}  // namespace feedwatch::http
