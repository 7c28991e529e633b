// Crash loop: the real feedwatchd is SIGKILLed at random moments while a loopback origin
// keeps publishing items and a loopback receiver verifies signatures and records ids. At the
// end every expected (watchlist, article) alert has arrived, no id outside the expected set
// has, and duplicates carry the same id. FEEDWATCH_CRASH_KILLS sets the number of kills
// (default 8, CI); tests/crash/run.sh runs 50.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/asio.hpp"
#include "core/digest.hpp"
#include "demo/feed_origin.hpp"
#include "demo/webhook_receiver.hpp"
#include "e2e/daemon_process.hpp"
#include "model/ids.hpp"

namespace feedwatch {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::eventually;

constexpr const char* k_secret_text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr int k_feeds = 4;

int kills_wanted()
{
    const char* text = std::getenv("FEEDWATCH_CRASH_KILLS");
    const int kills = text == nullptr ? 8 : std::atoi(text);
    return kills > 0 ? kills : 8;
}

std::uint16_t free_port()
{
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

std::string feed_path(int feed) { return "/feed" + std::to_string(feed) + ".xml"; }

TEST(Crash, EveryAlertArrivesOnceByIdAcrossSigkills)
{
    const int kills = kills_wanted();
    const auto dir = std::filesystem::temp_directory_path() / ("feedwatch-crash-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string key;
    ASSERT_TRUE(core::base64_decode(std::string(k_secret_text).substr(6), key));

    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    auto origin = demo::FeedOrigin::listen(io, "127.0.0.1:0");
    ASSERT_TRUE(origin) << origin.error().detail;
    auto receiver = demo::WebhookReceiver::listen(io, "127.0.0.1:0", {key});
    ASSERT_TRUE(receiver) << receiver.error().detail;
    std::thread io_thread([&] { io.run(); });

    for (int feed = 0; feed < k_feeds; ++feed) {
        (*origin)->set(feed_path(feed), R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Wire )" +
                                            std::to_string(feed) + "</title></channel></rss>");
    }
    // Two watchlists on one webhook: "Huawei" items alert twice, "ZTE" once, others never.
    std::ofstream(dir / "hook.secret") << k_secret_text << "\n";
    std::ofstream(dir / "watchlists.toml") << "[[watchlist]]\nname = \"vendors\"\nquery = 'Huawei OR ZTE'\n"
                                              "notify = [\"hook\"]\n"
                                              "[[watchlist]]\nname = \"huawei\"\nquery = 'Huawei'\nnotify = [\"hook\"]\n";
    const std::uint16_t port = free_port();
    {
        std::ofstream config(dir / "feedwatch.toml");
        config << "watchlist_files = [\"watchlists.toml\"]\n[daemon]\nstate_dir = \"" << (dir / "state").string()
               << "\"\nlisten = \"127.0.0.1:" << port << "\"\n"
               << "[fetch]\ninterval = \"1s\"\nmin_interval = \"1s\"\ntimeout = \"5s\"\nallow_private_networks = true\n";
        for (int feed = 0; feed < k_feeds; ++feed) {
            config << "[[feed]]\nurl = \"" << (*origin)->url(feed_path(feed)) << "\"\n";
        }
        config << "[[webhook]]\nname = \"hook\"\nurl = \"" << (*receiver)->url() << "\"\nsecret_file = \"hook.secret\"\n";
    }

    // The publisher: one item every 40 ms on a random feed; records the expected alerts.
    std::mutex expected_mutex;
    std::map<std::string, std::pair<std::string, std::string>> expected;  // webhook-id -> (watchlist, article)
    std::atomic<bool> publishing{true};
    std::atomic<int> published{0};
    std::thread publisher([&] {
        std::mt19937 random(12345);
        for (int n = 0; publishing; ++n) {
            const int feed = static_cast<int>(random() % k_feeds);
            const int kind = static_cast<int>(random() % 3);
            const std::string guid = "item-" + std::to_string(n);
            const std::string title = kind == 0 ? "Huawei item " + guid : kind == 1 ? "ZTE item " + guid : "Weather " + guid;
            {
                const std::lock_guard lock(expected_mutex);
                const std::string article = model::article_id((*origin)->url(feed_path(feed)), guid);
                std::vector<std::string> watchlists;
                if (kind == 0) {
                    watchlists = {"vendors", "huawei"};
                } else if (kind == 1) {
                    watchlists = {"vendors"};
                }
                for (const auto& watchlist : watchlists) {
                    expected[model::webhook_id(watchlist, "hook", article)] = {watchlist, article};
                }
            }
            (*origin)->publish(feed_path(feed), "<item><guid>" + guid + "</guid><title>" + title +
                                                    "</title><link>https://wire.test/" + guid + "</link></item>");
            ++published;
            std::this_thread::sleep_for(40ms);
        }
    });

    const std::string binary = FEEDWATCHD_BINARY;
    const std::vector<std::string> args{"--config", (dir / "feedwatch.toml").string()};
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pause_ms(100, 2500);
    int kills_done = 0;
    for (; kills_done < kills; ++kills_done) {
        DaemonProcess daemon(binary, args, dir / "daemon.log");
        ASSERT_TRUE(daemon.started());
        std::this_thread::sleep_for(std::chrono::milliseconds{pause_ms(random)});
        ASSERT_TRUE(daemon.running()) << daemon.log();
        daemon.signal(SIGKILL);
        ASSERT_TRUE(daemon.wait(10s));
    }
    publishing = false;
    publisher.join();

    // The final run drains everything.
    std::size_t expected_count = 0;
    {
        const std::lock_guard lock(expected_mutex);
        expected_count = expected.size();
    }
    DaemonProcess daemon(binary, args, dir / "daemon.log");
    const bool all_arrived = eventually(
        [&] {
            std::set<std::string> ids;
            for (const auto& delivery : (*receiver)->deliveries()) {
                ids.insert(delivery.id);
            }
            return ids.size() >= expected_count;
        },
        90s);

    const auto deliveries = (*receiver)->deliveries();
    std::set<std::string> received_ids;
    std::map<std::pair<std::string, std::string>, std::set<std::string>> ids_by_alert;
    int bad_signatures = 0;
    int unexpected = 0;
    for (const auto& delivery : deliveries) {
        received_ids.insert(delivery.id);
        bad_signatures += delivery.signature_valid ? 0 : 1;
        const auto body = nlohmann::json::parse(delivery.body, nullptr, false);
        ASSERT_FALSE(body.is_discarded()) << delivery.body;
        const std::string watchlist = body["data"]["watchlist"];
        const std::string article = body["data"]["article"]["id"];
        ids_by_alert[{watchlist, article}].insert(delivery.id);
        const auto found = expected.find(delivery.id);
        if (found == expected.end() || found->second != std::make_pair(watchlist, article)) {
            ++unexpected;
        }
    }
    int missing = 0;
    for (const auto& [id, alert] : expected) {
        missing += received_ids.contains(id) ? 0 : 1;
    }
    int split_ids = 0;
    for (const auto& [alert, ids] : ids_by_alert) {
        split_ids += ids.size() > 1 ? 1 : 0;
    }
    const std::size_t duplicates = deliveries.size() - received_ids.size();
    std::cout << "crash test: kills=" << kills_done << " items_published=" << published.load()
              << " alerts_expected=" << expected_count << " deliveries=" << deliveries.size()
              << " distinct_ids=" << received_ids.size() << " duplicates=" << duplicates << " missing=" << missing
              << " unexpected=" << unexpected << " bad_signatures=" << bad_signatures
              << " alerts_with_two_ids=" << split_ids << "\n";
    EXPECT_TRUE(all_arrived) << daemon.log().substr(0, 4000);
    EXPECT_EQ(missing, 0);
    EXPECT_EQ(unexpected, 0);
    EXPECT_EQ(bad_signatures, 0);
    EXPECT_EQ(split_ids, 0);
    EXPECT_GT(expected_count, 0u);

    daemon.signal(SIGTERM);
    daemon.wait(10s);
    asio::post(io, [&] {
        (*origin)->stop();
        (*receiver)->stop();
    });
    guard.reset();
    io_thread.join();
    if (!::testing::Test::HasFailure()) {
        std::filesystem::remove_all(dir);
    }
}

}  // namespace
}  // namespace feedwatch
