#include "pipeline/scheduler.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace feedwatch::pipeline {

using Clock = std::chrono::steady_clock;

std::string host_of(std::string_view url)
{
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return {};
    }
    std::string_view rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        rest.remove_prefix(at + 1);
    }
    if (!rest.empty() && rest.front() == '[') {
        rest = rest.substr(0, rest.find(']') == std::string_view::npos ? rest.size() : rest.find(']') + 1);
    } else {
        rest = rest.substr(0, rest.find(':'));
    }
    std::string host(rest);
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    return host;
}

namespace {

enum class EntryState { waiting, queued, running, parked };

struct Host;

struct Entry {
    std::string url;
    Host* host = nullptr;
    Clock::time_point due;
    EntryState state = EntryState::waiting;
    bool removed = false;
};

struct Host {
    std::deque<Entry*> queue;  // due, waiting for a slot (removed entries skipped)
    std::size_t running = 0;
    bool listed = false;  // in Impl::runnable
};

}  // namespace

struct Scheduler::Impl : std::enable_shared_from_this<Scheduler::Impl> {
    Impl(asio::io_context& io_context, SchedulerLimits l, PollFunction p, SchedulerObserver o)
        : io(io_context), limits(l), poll(std::move(p)), observer(std::move(o)), timer(io_context)
    {
        limits.concurrency = std::max<std::size_t>(1, limits.concurrency);
        limits.per_host = std::max<std::size_t>(1, limits.per_host);
    }

    asio::io_context& io;
    SchedulerLimits limits;
    PollFunction poll;
    SchedulerObserver observer;
    asio::steady_timer timer;
    std::optional<Clock::time_point> armed_for;
    // Keyed by a view of Entry::url (entries never move): one copy of each URL, not two.
    std::unordered_map<std::string_view, std::unique_ptr<Entry>> entries;
    std::unordered_map<std::string, Host> hosts;
    std::set<std::pair<Clock::time_point, Entry*>> timeline;
    std::deque<Host*> runnable;  // hosts with queued polls and a free slot
    std::size_t running = 0;
    std::size_t queued = 0;
    bool stopped = false;

    void schedule(Entry& entry, Clock::time_point due)
    {
        entry.due = due;
        entry.state = EntryState::waiting;
        timeline.emplace(due, &entry);
        arm();
    }

    void arm()
    {
        if (stopped || timeline.empty()) {
            return;
        }
        const Clock::time_point first = timeline.begin()->first;
        if (armed_for && *armed_for <= first) {
            return;  // the pending wait fires early enough
        }
        armed_for = first;
        timer.expires_at(first);
        std::weak_ptr<Impl> weak = weak_from_this();
        timer.async_wait([weak](boost::system::error_code error) {
            auto self = weak.lock();
            if (!self || error || self->stopped) {
                return;
            }
            self->armed_for.reset();
            self->release_due();
        });
    }

    void release_due()
    {
        const Clock::time_point now = Clock::now();
        while (!timeline.empty() && timeline.begin()->first <= now) {
            Entry* entry = timeline.begin()->second;
            timeline.erase(timeline.begin());
            entry->state = EntryState::queued;
            entry->host->queue.push_back(entry);
            ++queued;
            list(*entry->host);
        }
        dispatch();
        arm();
    }

    void list(Host& host)
    {
        if (!host.listed && !host.queue.empty() && host.running < limits.per_host) {
            host.listed = true;
            runnable.push_back(&host);
        }
    }

    void dispatch()
    {
        while (!stopped && running < limits.concurrency && !runnable.empty()) {
            Host* host = runnable.front();
            runnable.pop_front();
            host->listed = false;
            Entry* next = nullptr;
            while (!host->queue.empty() && next == nullptr) {
                Entry* candidate = host->queue.front();
                host->queue.pop_front();
                --queued;
                if (candidate->removed) {
                    erase(*candidate);
                } else {
                    next = candidate;
                }
            }
            if (next != nullptr) {
                start(*next);
            }
            list(*host);
        }
    }

    void start(Entry& entry)
    {
        entry.state = EntryState::running;
        ++running;
        ++entry.host->running;
        if (observer.on_start) {
            observer.on_start(Clock::now() - entry.due);
        }
        if (observer.on_in_flight) {
            observer.on_in_flight(running);
        }
        asio::co_spawn(io, run(shared_from_this(), &entry), asio::detached);
    }

    static asio::awaitable<void> run(std::shared_ptr<Impl> self, Entry* entry)
    {
        std::optional<std::chrono::milliseconds> delay;
        try {
            delay = co_await self->poll(entry->url);
        } catch (const std::exception&) {
            delay = std::chrono::minutes{1};  // a bug in one poll must not stall its feed forever
        }
        self->finished(*entry, delay);
    }

    void finished(Entry& entry, std::optional<std::chrono::milliseconds> delay)
    {
        --running;
        Host& host = *entry.host;
        --host.running;
        if (observer.on_in_flight) {
            observer.on_in_flight(running);
        }
        if (stopped) {
            return;
        }
        if (entry.removed) {
            erase(entry);
        } else if (delay) {
            schedule(entry, Clock::now() + *delay);
        } else {
            entry.state = EntryState::parked;
        }
        list(host);
        dispatch();
    }

    // Only for entries in no queue and not running.
    void erase(Entry& entry)
    {
        if (const auto found = entries.find(entry.url); found != entries.end()) {
            entries.erase(found);
        }
    }
};

Scheduler::Scheduler(asio::io_context& io, SchedulerLimits limits, PollFunction poll, SchedulerObserver observer)
    : m_impl(std::make_shared<Impl>(io, limits, std::move(poll), std::move(observer)))
{
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add(const std::string& url, std::chrono::microseconds delay)
{
    auto& impl = *m_impl;
    if (impl.stopped) {
        return;
    }
    if (const auto found = impl.entries.find(url); found != impl.entries.end()) {
        Entry& entry = *found->second;
        if (entry.removed) {
            entry.removed = false;
            if (entry.state == EntryState::parked) {
                impl.schedule(entry, Clock::now() + delay);
            }
        }
        return;
    }
    auto entry = std::make_unique<Entry>();
    entry->url = url;
    entry->host = &impl.hosts[host_of(url)];
    Entry& added = *entry;
    impl.entries.emplace(std::string_view(added.url), std::move(entry));
    impl.schedule(added, Clock::now() + delay);
}

void Scheduler::remove(const std::string& url)
{
    auto& impl = *m_impl;
    const auto found = impl.entries.find(url);
    if (found == impl.entries.end() || found->second->removed) {
        return;
    }
    Entry& entry = *found->second;
    switch (entry.state) {
    case EntryState::waiting:
        impl.timeline.erase({entry.due, &entry});
        impl.erase(entry);
        break;
    case EntryState::parked: impl.erase(entry); break;
    case EntryState::queued:   // skipped and erased when its host's queue reaches it
    case EntryState::running:  // erased when the poll returns
        entry.removed = true;
        break;
    }
}

bool Scheduler::contains(const std::string& url) const
{
    const auto found = m_impl->entries.find(url);
    return found != m_impl->entries.end() && !found->second->removed;
}

void Scheduler::set_limits(SchedulerLimits limits)
{
    m_impl->limits.concurrency = std::max<std::size_t>(1, limits.concurrency);
    m_impl->limits.per_host = std::max<std::size_t>(1, limits.per_host);
    for (auto& [name, host] : m_impl->hosts) {
        m_impl->list(host);
    }
    m_impl->dispatch();
}

std::size_t Scheduler::size() const { return m_impl->entries.size(); }

std::size_t Scheduler::in_flight() const { return m_impl->running; }

std::size_t Scheduler::queued() const { return m_impl->queued; }

void Scheduler::stop()
{
    auto& impl = *m_impl;
    if (impl.stopped) {
        return;
    }
    impl.stopped = true;
    impl.timer.cancel();
    impl.timeline.clear();
    impl.runnable.clear();
}

}  // namespace feedwatch::pipeline
