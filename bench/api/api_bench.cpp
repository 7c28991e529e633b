// GET /api/v1/alerts?limit=100 latency with 1M stored articles and 100k alerts.
//
//   api_bench DIR [--articles N] [--alerts M] [--requests R]
//
// Fills DIR (a RocksDB store, through store::Store::commit as the daemon writes it) when it
// holds no articles yet, then serves the API from it on 127.0.0.1:0 with the daemon's server
// and handlers (serve::Server + api::Api) on one io_context thread, and times R sequential
// keep-alive requests from a client thread. Reference, same run: GET /api/v1/watchlists (no
// store read), i.e. the HTTP round trip alone. "cpu" columns: the handler's CPU time on the
// server thread (what the API costs, without the wait for a CPU on a loaded machine). Point
// feedwatchd ([daemon] state_dir = DIR) at the same directory to look at it by hand.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "core/asio.hpp"
#include "store/queries.hpp"
#include "store/store.hpp"

namespace {

using namespace feedwatch;
using Clock = std::chrono::steady_clock;
namespace bhttp = boost::beast::http;

std::string payload(const model::Article& article, const std::string& watchlist)
{
    const nlohmann::json body = {
        {"type", "watchlist.match"},
        {"timestamp", core::format_rfc3339(article.first_seen)},
        {"data",
         {{"watchlist", watchlist},
          {"article",
           {{"id", article.id},
            {"title", article.item.title},
            {"link", article.item.link},
            {"published", core::format_rfc3339(article.first_seen)},
            {"summary", article.item.text},
            {"feed", {{"url", article.feed.url}, {"title", article.feed.title}}}}},
          {"matches", {{{"term", "indictment"}, {"field", "title"}, {"snippet", article.item.title}}}}}}};
    return body.dump();
}

void generate(store::Store& store, std::size_t articles, std::size_t alerts)
{
    const std::size_t alert_every = std::max<std::size_t>(1, articles / std::max<std::size_t>(1, alerts));
    const std::size_t per_commit = 2000;
    const core::Instant start = core::now() - std::chrono::hours{24 * 30};
    std::size_t made_alerts = 0;
    const auto t0 = Clock::now();
    for (std::size_t begin = 0; begin < articles; begin += per_commit) {
        store::PollCommit commit;
        commit.feed_url = "https://feed" + std::to_string(begin / per_commit % 500) + ".example/rss";
        for (std::size_t i = begin; i < std::min(articles, begin + per_commit); ++i) {
            model::Article article;
            article.id = "article-" + std::to_string(i);
            article.feed = model::FeedRef{commit.feed_url, "Feed " + std::to_string(begin / per_commit % 500)};
            article.item.id = "item-" + std::to_string(i);
            article.item.title = "Grand jury returns indictment number " + std::to_string(i);
            article.item.link = "https://news.example/" + std::to_string(i);
            article.item.text = "Prosecutors said the indictment accuses a former treasurer of moving client funds "
                                "through shell companies over six years. Story " +
                                std::to_string(i);
            article.first_seen = start + std::chrono::seconds{i};
            if (i % alert_every == 0 && made_alerts < alerts) {
                const std::string watchlist = i % 3 ? "courts" : "china-cyber";
                commit.outbox.push_back(model::OutboxEntry{"ops", "msg_" + std::to_string(i), watchlist, article.id,
                                                           payload(article, watchlist), article.first_seen,
                                                           article.first_seen, 0});
                ++made_alerts;
            }
            commit.articles.push_back(std::move(article));
        }
        if (auto done = store.commit(commit); !done) {
            std::fprintf(stderr, "commit: %s\n", done.error().detail.c_str());
            std::exit(1);
        }
    }
    // Deliver all but the newest 1000, so that listings show both states.
    auto pending = store.outbox_all();
    if (pending) {
        for (std::size_t i = 0; i + 1000 < pending->size(); ++i) {
            (void)store.outbox_delivered((*pending)[i].key);
        }
    }
    std::printf("generated %zu articles and %zu alerts in %.1f s\n", articles, made_alerts,
                std::chrono::duration<double>(Clock::now() - t0).count());
}

// CPU time the server thread spent in the handler for the last request (ns), so that the work
// can be told apart from waiting for a CPU on a loaded machine.
std::atomic<std::int64_t> g_handler_cpu_ns{0};

std::int64_t thread_cpu_ns()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

struct Figures {
    double first = 0;  // the first request of the run: nothing cached by the API yet
    double p50 = 0, p99 = 0, max = 0;
    double cpu_p50 = 0, cpu_p99 = 0;  // handler CPU time
    std::size_t bytes = 0;
};

Figures measure(std::uint16_t port, const std::string& target, std::size_t requests, std::size_t warm_up = 50)
{
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    boost::beast::flat_buffer buffer;
    std::vector<double> micros;
    std::vector<double> cpu_micros;
    Figures figures;
    for (std::size_t i = 0; i < requests + warm_up; ++i) {
        bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
        request.set(bhttp::field::host, "127.0.0.1");
        const auto t0 = Clock::now();
        bhttp::write(socket, request);
        bhttp::response<bhttp::string_body> response;
        bhttp::read(socket, buffer, response);
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        if (response.result_int() != 200) {
            std::fprintf(stderr, "%s: HTTP %u\n", target.c_str(), response.result_int());
            std::exit(1);
        }
        figures.bytes = response.body().size();
        if (i == 0) {
            figures.first = us;
        }
        if (i >= warm_up) {  // warm-up excluded
            micros.push_back(us);
            cpu_micros.push_back(static_cast<double>(g_handler_cpu_ns.load()) / 1000);
        }
    }
    std::sort(micros.begin(), micros.end());
    figures.p50 = micros[micros.size() / 2];
    figures.p99 = micros[micros.size() * 99 / 100];
    figures.max = micros.back();
    std::sort(cpu_micros.begin(), cpu_micros.end());
    figures.cpu_p50 = cpu_micros[cpu_micros.size() / 2];
    figures.cpu_p99 = cpu_micros[cpu_micros.size() * 99 / 100];
    return figures;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: api_bench DIR [--articles N] [--alerts M] [--requests R]\n");
        return 64;
    }
    std::size_t articles = 1'000'000, alerts = 100'000, requests = 2000;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        const std::size_t value = std::strtoull(argv[i + 1], nullptr, 10);
        (name == "--articles" ? articles : name == "--alerts" ? alerts : requests) = value;
    }
    const auto open_start = Clock::now();
    auto opened = store::Store::open(argv[1]);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.error().detail.c_str());
        return 1;
    }
    std::printf("store opened in %.3f s\n", std::chrono::duration<double>(Clock::now() - open_start).count());
    store::Store& store = **opened;
    auto newest = store::articles_newest(store, store::ArticleFilter{{}, {}, 0, 1, 1}, {});
    if (newest && newest->articles.empty()) {
        generate(store, articles, alerts);
    }
    config::Config config;
    config::WatchlistConfig watchlist;
    watchlist.name = "courts";
    watchlist.query = "indictment";
    config.watchlists.push_back(watchlist);
    api::Api api(store, config);
    asio::io_context io;
    auto server = serve::Server::listen(io, "127.0.0.1:0", [&api](const serve::Request& request) {
        const std::int64_t start = thread_cpu_ns();
        auto response = api.handle(request);
        g_handler_cpu_ns = thread_cpu_ns() - start;
        return response;
    });
    if (!server) {
        std::fprintf(stderr, "%s\n", server.error().detail.c_str());
        return 1;
    }
    const std::uint16_t port = (*server)->port();
    auto guard = asio::make_work_guard(io);
    std::thread loop([&io] { io.run(); });

    const Figures reference = measure(port, "/api/v1/watchlists", requests);
    const Figures alerts_page = measure(port, "/api/v1/alerts?limit=100", requests);
    const Figures filtered = measure(port, "/api/v1/alerts?limit=100&watchlist=china-cyber", requests);
    const Figures search = measure(port, "/api/v1/articles?q=indictment&limit=50", requests / 10);
    // A watchlist with no alerts: the listing must not read the whole history to say so.
    const Figures rare = measure(port, "/api/v1/alerts?limit=100&watchlist=no-such-watchlist", 20, 2);
    // An old page: rows outside what the API keeps rendered.
    const Figures old_page = measure(port, "/api/v1/alerts?limit=100&before=50000", requests);
    std::printf("%-52s %9s %9s %9s %9s %9s %9s %9s\n", "request (sequential, keep-alive, loopback)", "first ms",
                "p50 ms", "p99 ms", "max ms", "cpu p50", "cpu p99", "bytes");
    auto row = [](const char* name, const Figures& f) {
        std::printf("%-52s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9zu\n", name, f.first / 1000, f.p50 / 1000,
                    f.p99 / 1000, f.max / 1000, f.cpu_p50 / 1000, f.cpu_p99 / 1000, f.bytes);
    };
    row("GET /api/v1/watchlists (reference)", reference);
    row("GET /api/v1/alerts?limit=100", alerts_page);
    row("GET /api/v1/alerts?limit=100&watchlist=china-cyber", filtered);
    row("GET /api/v1/articles?q=indictment&limit=50", search);
    row("GET /api/v1/alerts?limit=100&watchlist=no-such-watchlist", rare);
    row("GET /api/v1/alerts?limit=100&before=50000", old_page);

    asio::post(io, [&] { (*server)->stop(); });
    guard.reset();
    loop.join();
    return 0;
}
