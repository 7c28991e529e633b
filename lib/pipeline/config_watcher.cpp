#include "pipeline/config_watcher.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string>

namespace feedwatch::pipeline {
namespace {

constexpr std::uint32_t k_events = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM;

bool ends_with(const std::string& text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

// Shared with the pending read and timer handlers, so that a handler that runs after the
// watcher is gone finds `stopped` instead of freed memory.
struct ConfigWatcher::Impl {
    Impl(asio::io_context& io, std::chrono::milliseconds quiet_period, std::function<void()> callback)
        : descriptor(io), timer(io), quiet(quiet_period), on_change(std::move(callback))
    {
    }

    asio::posix::stream_descriptor descriptor;
    asio::steady_timer timer;
    std::chrono::milliseconds quiet;
    std::function<void()> on_change;
    std::map<int, std::set<std::string>> names_by_watch;  // watch descriptor -> file names in that directory
    std::array<char, 16 * 1024> buffer{};
    bool reading = false;
    bool stopped = false;

    void read(const std::shared_ptr<Impl>& self)
    {
        reading = true;
        descriptor.async_read_some(asio::buffer(buffer),
                                   [self](const boost::system::error_code& error, std::size_t length) {
                                       self->reading = false;
                                       if (error || self->stopped) {
                                           return;
                                       }
                                       if (self->relevant(length)) {
                                           self->schedule(self);
                                       }
                                       self->read(self);
                                   });
    }

    // Does any event in buffer[0, length) touch a watched file?
    bool relevant(std::size_t length) const
    {
        bool any = false;
        std::size_t offset = 0;
        while (offset + sizeof(inotify_event) <= length) {
            inotify_event event{};
            std::memcpy(&event, buffer.data() + offset, sizeof(event));
            const std::size_t name_at = offset + sizeof(inotify_event);
            std::string name;
            if (event.len > 0 && name_at + event.len <= length) {
                name.assign(buffer.data() + name_at, ::strnlen(buffer.data() + name_at, event.len));
            }
            const auto watched = names_by_watch.find(event.wd);
            if (watched != names_by_watch.end() &&
                (watched->second.count(name) == 1 || ends_with(name, ".toml"))) {
                any = true;
            }
            offset = name_at + event.len;
        }
        return any;
    }

    void schedule(const std::shared_ptr<Impl>& self)
    {
        timer.expires_after(quiet);  // cancels a pending wait: the burst goes on
        timer.async_wait([self](const boost::system::error_code& error) {
            if (!error && !self->stopped) {
                self->on_change();
            }
        });
    }
};

ConfigWatcher::ConfigWatcher(asio::io_context& io, std::chrono::milliseconds quiet, std::function<void()> on_change)
    : m_impl(std::make_shared<Impl>(io, quiet, std::move(on_change)))
{
}

ConfigWatcher::~ConfigWatcher() { stop(); }

core::Result<void> ConfigWatcher::watch(const std::vector<std::filesystem::path>& files)
{
    if (m_impl->stopped) {
        return core::fail(core::ErrorCode::cancelled, "config watcher stopped");
    }
    if (!m_impl->descriptor.is_open()) {
        const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) {
            return core::fail(core::ErrorCode::io, std::string("inotify_init1: ") + std::strerror(errno));
        }
        m_impl->descriptor.assign(fd);
    }
    for (const auto& [watch, names] : m_impl->names_by_watch) {
        ::inotify_rm_watch(m_impl->descriptor.native_handle(), watch);
    }
    m_impl->names_by_watch.clear();
    std::string problems;
    for (const auto& file : files) {
        std::error_code error;
        auto absolute = std::filesystem::absolute(file, error);
        if (error) {
            absolute = file;
        }
        const auto directory = absolute.parent_path().empty() ? std::filesystem::path(".") : absolute.parent_path();
        const int watch = ::inotify_add_watch(m_impl->descriptor.native_handle(), directory.c_str(), k_events);
        if (watch < 0) {
            problems += (problems.empty() ? "" : "; ") + directory.string() + ": " + std::strerror(errno);
            continue;
        }
        m_impl->names_by_watch[watch].insert(absolute.filename().string());
    }
    if (!m_impl->reading) {
        m_impl->read(m_impl);
    }
    if (!problems.empty()) {
        return core::fail(core::ErrorCode::io, "inotify_add_watch: " + problems);
    }
    return {};
}

void ConfigWatcher::stop()
{
    if (m_impl->stopped) {
        return;
    }
    m_impl->stopped = true;
    m_impl->timer.cancel();
    boost::system::error_code ignored;
    m_impl->descriptor.close(ignored);
}

}  // namespace feedwatch::pipeline
