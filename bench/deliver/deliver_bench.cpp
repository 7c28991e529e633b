// Delivery benchmarks.
//
//   deliver_bench throughput [--alerts N]
//     Alerts/s from a RocksDB outbox to a loopback receiver (another thread), per-webhook
//     concurrency 1, 4 and 16, beside the reference: the same number of bare POSTs through the
//     same http::Client at the same concurrency (no store, no signing).
//
//   deliver_bench latency [--feeds 1000] [--seconds 30] [--interval 5s]
//     The real feedwatchd (FEEDWATCHD_BINARY or --daemon PATH) polls --feeds loopback feeds;
//     one new matching item a time is published on a random feed. Latency per alert: from the
//     moment the origin handed out the first body containing the item (fetch complete, give
//     or take the loopback transfer) to the moment the receiver got the webhook. p50/p99/max.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/asio.hpp"
#include "deliver/deliverer.hpp"
#include "deliver/payload.hpp"
#include "model/ids.hpp"
#include "serve/server.hpp"
#include "store/store.hpp"

extern char** environ;

namespace {

using namespace feedwatch;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string option(const std::vector<std::string>& args, const std::string& name, const std::string& fallback)
{
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == name) {
            return args[i + 1];
        }
    }
    return fallback;
}

std::filesystem::path temp_dir(const std::string& name)
{
    auto dir = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// A receiver on its own thread that answers 204 and counts.
struct Receiver {
    asio::io_context io;
    std::unique_ptr<serve::Server> server;
    std::atomic<int> received{0};
    std::function<void(const serve::Request&)> on_request;
    std::thread thread;
    Receiver()
    {
        server = serve::Server::listen(io, "127.0.0.1:0", [this](const serve::Request& request) {
                     if (on_request) {
                         on_request(request);
                     }
                     ++received;
                     serve::Response response;
                     response.status = 204;
                     return response;
                 }).value();
        thread = std::thread([this] { io.run(); });
    }
    ~Receiver()
    {
        asio::post(io, [this] { server->stop(); });
        thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()) + "/hook"; }
};

double throughput_outbox(int alerts, std::size_t concurrency, Receiver& receiver)
{
    const auto dir = temp_dir("feedwatch-bench-deliver");
    auto store = store::Store::open(dir / "db").value();
    store::PollCommit commit;
    commit.feed_url = "https://bench.test/feed";
    for (int i = 0; i < alerts; ++i) {
        model::Article article;
        article.feed = {commit.feed_url, "Bench"};
        article.item.id = "item-" + std::to_string(i);
        article.item.title = "Huawei " + std::to_string(i);
        article.id = model::article_id(commit.feed_url, article.item.id);
        model::OutboxEntry entry{"hook", model::webhook_id("w", "hook", article.id), "w", article.id,
                                 deliver::render_json_payload("w", article, {{"huawei", "title", "Huawei"}}, core::now()),
                                 core::now(), core::now(), 0};
        commit.outbox.push_back(std::move(entry));
    }
    (void)store->commit(commit);
    asio::io_context io;
    http::Client client(io);
    deliver::WebhookTarget target;
    target.name = "hook";
    target.url = receiver.url();
    target.secrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
    target.concurrency = concurrency;
    deliver::Deliverer deliverer(io, *store, client, {target}, deliver::DeliveryObserver{});
    const int before = receiver.received;
    const auto start = Clock::now();
    deliverer.start();
    while (store->outbox_pending() > 0) {
        io.run_for(5ms);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    deliverer.stop();
    client.stop();
    io.run_for(100ms);
    if (receiver.received - before < alerts) {
        std::cerr << "warning: receiver counted " << receiver.received - before << " of " << alerts << "\n";
    }
    store.reset();
    std::filesystem::remove_all(dir);
    return alerts / seconds;
}

double throughput_bare(int requests, std::size_t concurrency, Receiver& receiver)
{
    asio::io_context io;
    http::Client client(io);
    int started = 0;
    int finished = 0;
    std::function<void()> next;
    auto one = [&]() -> asio::awaitable<void> {
        http::Request request;
        request.method = "POST";
        request.url = receiver.url();
        request.body = std::string(600, 'x');
        request.private_networks = http::PrivateNetworks::allow;
        co_await client.perform(std::move(request));
        ++finished;
        next();
    };
    next = [&] {
        if (started < requests) {
            ++started;
            asio::co_spawn(io, one(), asio::detached);
        }
    };
    const auto start = Clock::now();
    for (std::size_t i = 0; i < concurrency; ++i) {
        next();
    }
    while (finished < requests) {
        io.run_for(5ms);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    client.stop();
    io.run_for(100ms);
    return requests / seconds;
}

int throughput(const std::vector<std::string>& args)
{
    const int alerts = std::stoi(option(args, "--alerts", "2000"));
    Receiver receiver;
    std::cout << "alerts/s to a loopback receiver, " << alerts << " alerts per run\n";
    for (std::size_t concurrency : {1u, 4u, 16u}) {
        const double outbox = throughput_outbox(alerts, concurrency, receiver);
        const double bare = throughput_bare(alerts, concurrency, receiver);
        std::cout << "  concurrency " << concurrency << ": outbox->webhook " << static_cast<long>(outbox)
                  << " alerts/s; reference bare POST " << static_cast<long>(bare) << " req/s\n";
    }
    return 0;
}

// Feeds served from memory; records when an item was first handed out.
struct Origin {
    struct Item {
        std::string guid;
    };
    asio::io_context io;
    std::unique_ptr<serve::Server> server;
    std::mutex mutex;
    std::map<int, std::vector<std::string>> items;           // feed -> guids, newest first
    std::map<std::string, Clock::time_point> first_served;  // guid -> time
    std::thread thread;
    explicit Origin(int feeds)
    {
        for (int feed = 0; feed < feeds; ++feed) {
            items[feed];
        }
        server = serve::Server::listen(io, "127.0.0.1:0", [this](const serve::Request& request) {
                     const int feed = std::atoi(request.target.c_str() + 2);
                     std::string body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed " +
                                        std::to_string(feed) + "</title>";
                     const std::lock_guard lock(mutex);
                     const auto now = Clock::now();
                     for (const std::string& guid : items[feed]) {
                         body += "<item><guid>" + guid + "</guid><title>Huawei " + guid +
                                 "</title><link>https://bench.test/" + guid + "</link></item>";
                         first_served.try_emplace(guid, now);
                     }
                     body += "</channel></rss>";
                     serve::Response response;
                     response.content_type = "application/rss+xml";
                     response.body = std::move(body);
                     return response;
                 }).value();
        thread = std::thread([this] { io.run(); });
    }
    ~Origin()
    {
        asio::post(io, [this] { server->stop(); });
        thread.join();
    }
    std::string url(int feed) const { return "http://127.0.0.1:" + std::to_string(server->port()) + "/f" + std::to_string(feed); }
    void publish(int feed, const std::string& guid)
    {
        const std::lock_guard lock(mutex);
        auto& list = items[feed];
        list.insert(list.begin(), guid);
        if (list.size() > 10) {
            list.pop_back();
        }
    }
};

double percentile(std::vector<double> values, double p)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    return values[index];
}

int latency(const std::vector<std::string>& args)
{
    const int feeds = std::stoi(option(args, "--feeds", "1000"));
    const int seconds = std::stoi(option(args, "--seconds", "30"));
    const std::string interval = option(args, "--interval", "5s");
    const std::string daemon_binary = option(args, "--daemon", FEEDWATCHD_BINARY);
    const auto dir = temp_dir("feedwatch-bench-latency");
    Origin origin(feeds);
    Receiver receiver;
    std::mutex mutex;
    std::map<std::string, Clock::time_point> received;  // webhook-id -> time
    receiver.on_request = [&](const serve::Request& request) {
        const std::lock_guard lock(mutex);
        received.try_emplace(request.header("webhook-id"), Clock::now());
    };
    asio::io_context probe;
    asio::ip::tcp::acceptor acceptor(probe, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    acceptor.close();
    std::ofstream(dir / "watchlists.toml") << "[[watchlist]]\nname = \"w\"\nquery = 'Huawei'\nnotify = [\"hook\"]\n";
    {
        std::ofstream config(dir / "feedwatch.toml");
        config << "watchlist_files = [\"watchlists.toml\"]\n[daemon]\nstate_dir = \"" << (dir / "state").string()
               << "\"\nlisten = \"127.0.0.1:" << port << "\"\n[fetch]\ninterval = \"" << interval
               << "\"\nmin_interval = \"1s\"\ntimeout = \"10s\"\nallow_private_networks = true\n";
        for (int feed = 0; feed < feeds; ++feed) {
            config << "[[feed]]\nurl = \"" << origin.url(feed) << "\"\n";
        }
        config << "[[webhook]]\nname = \"hook\"\nurl = \"" << receiver.url() << "\"\n";
    }
    std::vector<std::string> argv_storage{daemon_binary, "--config", (dir / "feedwatch.toml").string()};
    std::vector<char*> argv;
    for (auto& arg : argv_storage) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (dir / "daemon.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    if (posix_spawn(&pid, daemon_binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
        std::cerr << "cannot start " << daemon_binary << "\n";
        return 1;
    }
    posix_spawn_file_actions_destroy(&actions);
    std::this_thread::sleep_for(std::chrono::seconds{std::max(2, feeds / 200)});  // first polls spread out

    std::map<std::string, std::string> guid_of;  // webhook-id -> guid
    std::mt19937 random(42);
    const auto end = Clock::now() + std::chrono::seconds{seconds};
    for (int n = 0; Clock::now() < end; ++n) {
        const int feed = static_cast<int>(random() % static_cast<unsigned>(feeds));
        const std::string guid = "g" + std::to_string(n);
        guid_of[model::webhook_id("w", "hook", model::article_id(origin.url(feed), guid))] = guid;
        origin.publish(feed, guid);
        std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(std::chrono::seconds{10});
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);

    std::vector<double> latencies_ms;
    {
        const std::lock_guard lock(mutex);
        const std::lock_guard origin_lock(origin.mutex);
        for (const auto& [id, at] : received) {
            const auto guid = guid_of.find(id);
            if (guid == guid_of.end()) {
                continue;
            }
            const auto served = origin.first_served.find(guid->second);
            if (served != origin.first_served.end()) {
                latencies_ms.push_back(std::chrono::duration<double, std::milli>(at - served->second).count());
            }
        }
    }
    std::cout << feeds << " feeds, interval " << interval << ", " << guid_of.size() << " items published, "
              << latencies_ms.size() << " alerts received and timed\n"
              << "fetch-complete -> webhook-received: p50 " << percentile(latencies_ms, 0.5) << " ms, p99 "
              << percentile(latencies_ms, 0.99) << " ms, max " << percentile(latencies_ms, 1.0) << " ms\n";
    std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    spdlog::set_level(spdlog::level::warn);
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "throughput") {
        return throughput(args);
    }
    if (!args.empty() && args[0] == "latency") {
        return latency(args);
    }
    std::cerr << "usage: deliver_bench throughput [--alerts N] | latency [--feeds N] [--seconds S] [--interval D] "
                 "[--daemon PATH]\n";
    return 64;
}
