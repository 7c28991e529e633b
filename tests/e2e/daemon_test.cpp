// End to end: the real feedwatchd binary against a loopback feed origin and a loopback
// webhook receiver that verifies signatures.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <map>
#include <sstream>
#include <tuple>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/asio.hpp"
#include "core/digest.hpp"
#include "demo/feed_origin.hpp"
#include "demo/webhook_receiver.hpp"
#include "e2e/daemon_process.hpp"
#include "http/client.hpp"
#include "support/loopback_http.hpp"

namespace feedwatch {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::eventually;

constexpr const char* k_secret_text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string rss(const std::string& items)
{
    return R"(<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test Wire</title>)"
           R"(<link>https://wire.test/</link>)" +
           items + "</channel></rss>";
}

// An hour ago, RFC 822: reports of current news. Items published more than a story window
// before they arrive are backlog and never join a story (pipeline/story_book.cpp).
std::string recent_pub_date()
{
    const std::time_t hour_ago = std::time(nullptr) - 3600;
    std::tm utc{};
    gmtime_r(&hour_ago, &utc);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return text;
}

std::string rss_item(const std::string& guid, const std::string& title, const std::string& description)
{
    return "<item><guid>" + guid + "</guid><title>" + title + "</title><link>https://wire.test/" + guid +
           "</link><pubDate>" + recent_pub_date() + "</pubDate><description>" + description + "</description></item>";
}

using test::free_port;
using test::http_get;

// The value of the sample whose name and labels are exactly series, or -1.
double metric(const std::string& text, const std::string& series)
{
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(series + " ", 0) == 0) {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return -1;
}

class Daemon : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() /
                ("feedwatch-e2e-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
        std::string key;
        ASSERT_TRUE(core::base64_decode(std::string(k_secret_text).substr(6), key));
        auto origin = demo::FeedOrigin::listen(m_io, "127.0.0.1:0");
        ASSERT_TRUE(origin) << origin.error().detail;
        m_origin = std::move(*origin);
        auto receiver = demo::WebhookReceiver::listen(m_io, "127.0.0.1:0", {key});
        ASSERT_TRUE(receiver) << receiver.error().detail;
        m_receiver = std::move(*receiver);
        m_thread = std::thread([this] { m_io.run(); });
        m_port = free_port();
    }

    void TearDown() override
    {
        asio::post(m_io, [this] {
            m_origin->stop();
            m_receiver->stop();
        });
        m_guard.reset();
        m_thread.join();
        std::filesystem::remove_all(m_dir);
    }

    std::filesystem::path write_config(const std::string& extra_watchlists = "")
    {
        std::ofstream(m_dir / "hook.secret") << k_secret_text << "\n";
        std::ofstream(m_dir / "watchlists.toml") << "[[watchlist]]\nname = \"china-cyber\"\n"
                                                    "query = 'indictment OR Huawei OR \"Unit 61398\"'\n"
                                                    "notify = [\"hook\"]\n"
                                                 << extra_watchlists;
        const auto path = m_dir / "feedwatch.toml";
        std::ofstream(path) << "watchlist_files = [\"watchlists.toml\"]\n"
                               "[daemon]\nstate_dir = \"" << (m_dir / "state").string() << "\"\n"
                            << "listen = \"127.0.0.1:" << m_port << "\"\n"
                            << "[fetch]\ninterval = \"1s\"\nmin_interval = \"1s\"\nmax_interval = \"2s\"\ntimeout = \"5s\"\nmax_body = \"1MiB\"\n"
                               "allow_private_networks = true\n"
                               "[[feed]]\nurl = \"" << m_origin->url("/wire.xml") << "\"\n"
                            << "[[feed]]\nurl = \"" << m_origin->url("/security.xml") << "\"\n"
                            << "[[webhook]]\nname = \"hook\"\nurl = \"" << m_receiver->url() << "\"\n"
                            << "secret_file = \"hook.secret\"\n";
        return path;
    }

    std::unique_ptr<DaemonProcess> start_daemon(const std::filesystem::path& config)
    {
        auto daemon = std::make_unique<DaemonProcess>(FEEDWATCHD_BINARY, std::vector<std::string>{"--config", config},
                                                      m_dir / "daemon.log");
        EXPECT_TRUE(daemon->started());
        EXPECT_TRUE(eventually([&] { return !http_get(metrics_url()).empty(); }, 20s)) << daemon->log();
        return daemon;
    }

    void stop_daemon(DaemonProcess& daemon)
    {
        daemon.signal(SIGTERM);
        const auto status = daemon.wait(15s);
        ASSERT_TRUE(status) << "feedwatchd did not stop on SIGTERM\n" << daemon.log();
        EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << daemon.log();
    }

    std::string metrics_url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/metrics"; }

    void serve_initial_feeds()
    {
        m_origin->set("/wire.xml", rss(rss_item("w1", "Prosecutors unseal indictment against shipping executives",
                                                "Three executives were charged.") +
                                       rss_item("w2", "Council approves tram budget", "The vote was 31 to 9.") +
                                       rss_item("w3", "Carrier signs network deal", "HUAWEI will supply core software.")));
        m_origin->set("/security.xml",
                      rss(rss_item("s1", "Phishing wave tied to known group",
                                   "Researchers link the tooling to Unit&#160;61398, a unit named in past cases.")));
    }

    asio::io_context m_io;
    asio::executor_work_guard<asio::io_context::executor_type> m_guard = asio::make_work_guard(m_io);
    std::thread m_thread;
    std::unique_ptr<demo::FeedOrigin> m_origin;
    std::unique_ptr<demo::WebhookReceiver> m_receiver;
    std::filesystem::path m_dir;
    std::uint16_t m_port = 0;
};

TEST_F(Daemon, AlertsOncePerMatchingArticleWithValidSignaturesAndCountsThem)
{
    serve_initial_feeds();
    auto daemon = start_daemon(write_config());
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() >= 3; }, 30s)) << daemon->log();
    // Let a few more polls happen (all 304): nothing new may arrive.
    ASSERT_TRUE(eventually([&] { return m_origin->not_modified_hits("/wire.xml") >= 2; }, 15s)) << daemon->log();

    const auto deliveries = m_receiver->deliveries();
    ASSERT_EQ(deliveries.size(), 3u);
    std::set<std::string> ids;
    std::set<std::string> titles;
    for (const auto& delivery : deliveries) {
        EXPECT_TRUE(delivery.signature_valid) << delivery.signature;
        EXPECT_EQ(delivery.content_type, "application/json");
        EXPECT_EQ(delivery.id.rfind("msg_", 0), 0u);
        ids.insert(delivery.id);
        const auto payload = nlohmann::json::parse(delivery.body);
        EXPECT_EQ(payload["type"], "watchlist.match");
        EXPECT_EQ(payload["data"]["watchlist"], "china-cyber");
        EXPECT_FALSE(payload["data"]["matches"].empty());
        EXPECT_EQ(payload["data"]["article"]["feed"]["title"], "Test Wire");
        titles.insert(payload["data"]["article"]["title"].get<std::string>());
    }
    EXPECT_EQ(ids.size(), 3u);
    EXPECT_EQ(titles, (std::set<std::string>{"Prosecutors unseal indictment against shipping executives",
                                             "Carrier signs network deal", "Phishing wave tied to known group"}));

    const std::string text = http_get(metrics_url());
    EXPECT_EQ(metric(text, "feedwatch_matches_total{watchlist=\"china-cyber\"}"), 3) << text;
    EXPECT_EQ(metric(text, "feedwatch_webhook_deliveries_total{outcome=\"ok\",webhook=\"hook\"}"), 3) << text;
    EXPECT_EQ(metric(text, "feedwatch_articles_new_total"), 4) << text;
    EXPECT_GE(metric(text, "feedwatch_fetch_requests_total{outcome=\"not_modified\"}"), 2) << text;
    EXPECT_EQ(metric(text, "feedwatch_outbox_pending{webhook=\"hook\"}"), 0) << text;
    EXPECT_EQ(metric(text, "feedwatch_feeds{state=\"active\"}"), 2) << text;
    EXPECT_EQ(http_get("http://127.0.0.1:" + std::to_string(m_port) + "/healthz"), "ok\n");
    stop_daemon(*daemon);
}

TEST_F(Daemon, RestartDoesNotAlertAgainAndANewItemAlertsExactlyOnce)
{
    serve_initial_feeds();
    const auto config = write_config();
    {
        auto daemon = start_daemon(config);
        ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() >= 3; }, 30s)) << daemon->log();
        stop_daemon(*daemon);
    }
    // The origin forgets validators so the restarted daemon gets full bodies, not 304s.
    serve_initial_feeds();
    m_origin->set("/wire.xml", rss(rss_item("w1", "Prosecutors unseal indictment against shipping executives",
                                            "Three executives were charged.") +
                                   rss_item("w2", "Council approves tram budget", "The vote was 31 to 9.") +
                                   rss_item("w3", "Carrier signs network deal", "HUAWEI will supply core software.") +
                                   rss_item("w4", "Weather stays mild", "No storms expected.")));
    const int hits_before = m_origin->hits("/wire.xml");
    auto daemon = start_daemon(config);
    ASSERT_TRUE(eventually([&] { return m_origin->hits("/wire.xml") >= hits_before + 3; }, 20s)) << daemon->log();
    EXPECT_EQ(m_receiver->deliveries().size(), 3u) << daemon->log();

    m_origin->publish("/wire.xml", rss_item("w5", "Grand jury returns second indictment", "A new count was added."));
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() >= 4; }, 20s)) << daemon->log();
    const int hits_after = m_origin->hits("/wire.xml");
    ASSERT_TRUE(eventually([&] { return m_origin->hits("/wire.xml") >= hits_after + 2; }, 20s));
    const auto deliveries = m_receiver->deliveries();
    ASSERT_EQ(deliveries.size(), 4u);
    const auto payload = nlohmann::json::parse(deliveries.back().body);
    EXPECT_EQ(payload["data"]["article"]["title"], "Grand jury returns second indictment");
    EXPECT_TRUE(deliveries.back().signature_valid);
    stop_daemon(*daemon);
}

// Fictional reports of one event (people, places and outlets are invented).
const char* const k_story_wire =
    "A federal grand jury in Harborview indicted port authority director Marta Velasquez on Tuesday on 14 counts "
    "of bribery and wire fraud, accusing her of taking $2.3 million from the dredging firm Calder Marine in "
    "exchange for contracts at the Pier 61398 terminal. Her lawyer, Tomas Reyes, said she would plead not guilty.";
const char* const k_story_trade =
    "Shipping executives in Harborview were digesting news that Marta Velasquez, the port director who oversaw "
    "the expansion of the Pier 61398 container terminal, faces federal bribery and fraud charges. The indictment "
    "says Calder Marine paid $2.3 million to win dredging work. Velasquez denies wrongdoing, according to her "
    "attorney Tomas Reyes.";
const char* const k_story_markets =
    "Calder Marine stock dropped 11 percent in early trading after prosecutors charged Harborview port director "
    "Marta Velasquez with accepting $2.3 million in bribes from the company. Analysts said the Pier 61398 "
    "dredging contract was worth about a fifth of Calder Marine revenue.";

TEST_F(Daemon, ReportsOfOneStoryAreOneMatchPerWatchlistThenUpdatesWithOneStoryIdAcrossARestart)
{
    m_origin->set("/wire.xml", rss(rss_item("v1", "Port chief Velasquez indicted on bribery charges", k_story_wire)));
    m_origin->set("/security.xml", rss(rss_item("v2", "Dredging contracts at centre of Velasquez case", k_story_trade)));
    const auto config = write_config("[[watchlist]]\nname = \"port\"\nquery = 'Velasquez'\nnotify = [\"hook\"]\n");
    auto daemon = start_daemon(config);
    // port matches both reports, china-cyber both ("indicted", "indictment").
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() >= 4; }, 30s)) << daemon->log();
    ASSERT_TRUE(eventually([&] { return m_origin->not_modified_hits("/wire.xml") >= 2; }, 15s)) << daemon->log();
    std::map<std::string, std::vector<std::string>> types;  // by watchlist
    std::set<std::string> stories;
    for (const auto& delivery : m_receiver->deliveries()) {
        EXPECT_TRUE(delivery.signature_valid);
        const auto payload = nlohmann::json::parse(delivery.body);
        types[payload["data"]["watchlist"]].push_back(payload["type"]);
        stories.insert(payload["data"]["story"]["id"].get<std::string>());
    }
    const std::vector<std::string> match_then_update{"watchlist.match", "watchlist.update"};
    for (auto& [watchlist, seen] : types) {
        std::sort(seen.begin(), seen.end());  // delivery order across requests is not creation order
    }
    EXPECT_EQ(types, (std::map<std::string, std::vector<std::string>>{{"china-cyber", match_then_update},
                                                                       {"port", match_then_update}}));
    EXPECT_EQ(stories.size(), 1u);
    const std::string text = http_get(metrics_url());
    EXPECT_EQ(metric(text, "feedwatch_stories_open"), 1) << text;
    EXPECT_EQ(metric(text, "feedwatch_story_assignments_total{result=\"joined\"}"), 1) << text;
    EXPECT_EQ(metric(text, "feedwatch_story_updates_total{watchlist=\"port\"}"), 1) << text;
    stop_daemon(*daemon);

    daemon = start_daemon(config);
    m_origin->publish("/wire.xml", rss_item("v3", "Calder Marine shares fall after port director charged", k_story_markets));
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() >= 5; }, 30s)) << daemon->log();
    const auto payload = nlohmann::json::parse(m_receiver->deliveries().back().body);
    EXPECT_EQ(payload["type"], "watchlist.update") << payload.dump();
    EXPECT_EQ(payload["data"]["watchlist"], "port");
    EXPECT_EQ(payload["data"]["story"]["id"], *stories.begin());
    EXPECT_EQ(payload["data"]["story"]["articles"], 3);

    // The views over real HTTP: one story with its three reports, and alerts carrying its id.
    const std::string api = "http://127.0.0.1:" + std::to_string(m_port) + "/api/v1/";
    const auto listed = nlohmann::json::parse(http_get(api + "stories"));
    ASSERT_EQ(listed["stories"].size(), 1u) << listed.dump();
    EXPECT_EQ(listed["stories"][0]["id"], *stories.begin());
    EXPECT_EQ(listed["stories"][0]["articles"], 3);
    std::vector<std::string> watchlists = listed["stories"][0]["watchlists"];
    std::sort(watchlists.begin(), watchlists.end());
    EXPECT_EQ(watchlists, (std::vector<std::string>{"china-cyber", "port"}));
    EXPECT_EQ(nlohmann::json::parse(http_get(api + "stories?watchlist=port"))["stories"].size(), 1u);
    const auto story = nlohmann::json::parse(http_get(api + "stories/" + *stories.begin()));
    ASSERT_EQ(story["reports"].size(), 3u) << story.dump();
    EXPECT_EQ(story["reports"][2]["title"], "Calder Marine shares fall after port director charged");
    // The two feeds are polled concurrently: either first report started the story.
    EXPECT_EQ(story["reports"][0]["id"], *stories.begin());
    EXPECT_EQ(listed["stories"][0]["title"], story["reports"][0]["title"]);
    const auto alerts = nlohmann::json::parse(http_get(api + "alerts"));
    ASSERT_EQ(alerts["alerts"].size(), 5u) << alerts.dump();
    for (const auto& alert : alerts["alerts"]) {
        EXPECT_EQ(alert["story"], *stories.begin());
    }
    stop_daemon(*daemon);
    EXPECT_EQ(m_receiver->deliveries().size(), 5u);
}

TEST_F(Daemon, RetriesAfterTheReceiverFailsAndDeliversTheSameId)
{
    m_receiver->set_status(503);
    m_origin->set("/wire.xml", rss(rss_item("w1", "Indictment unsealed", "Charges filed.")));
    m_origin->set("/security.xml", rss(""));
    auto daemon = start_daemon(write_config());
    ASSERT_TRUE(eventually([&] { return !m_receiver->deliveries().empty(); }, 30s)) << daemon->log();
    m_receiver->set_status(200);
    // The first retry comes about 5 s after the failure.
    ASSERT_TRUE(eventually(
        [&] {
            const auto deliveries = m_receiver->deliveries();
            return deliveries.size() >= 2;
        },
        30s))
        << daemon->log();
    const auto deliveries = m_receiver->deliveries();
    EXPECT_EQ(deliveries.front().id, deliveries.back().id);
    const std::string text = http_get(metrics_url());
    EXPECT_GE(metric(text, "feedwatch_webhook_deliveries_total{outcome=\"http_error\",webhook=\"hook\"}"), 1) << text;
    EXPECT_TRUE(eventually(
        [&] { return metric(http_get(metrics_url()), "feedwatch_outbox_pending{webhook=\"hook\"}") == 0; }, 10s));
    // One line per event with key=value fields: the failure, then the delivery, same id.
    const std::string log = daemon->log();
    const std::string id = "webhook_id=" + deliveries.front().id;
    EXPECT_NE(log.find("delivery failed; retrying with backoff webhook=hook " + id + " outcome=http_error status=503 "
                       "attempt=1"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("alert delivered webhook=hook " + id + " watchlist="), std::string::npos) << log;
    EXPECT_NE(log.find("new articles feed_url=" + m_origin->url("/wire.xml") + " new=1"), std::string::npos) << log;
    stop_daemon(*daemon);
}

TEST_F(Daemon, InvalidConfigOnReloadKeepsTheRunningOneAndReportsIt)
{
    serve_initial_feeds();
    const auto config = write_config();
    auto daemon = start_daemon(config);
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() >= 3; }, 30s)) << daemon->log();
    write_config("[[watchlist]]\nname = \"broken\"\nquery = '\"unterminated'\nnotify = [\"hook\"]\n");
    daemon->signal(SIGHUP);
    ASSERT_TRUE(eventually(
        [&] { return metric(http_get(metrics_url()), "feedwatch_config_last_reload_successful") == 0; }, 10s))
        << daemon->log();
    EXPECT_NE(daemon->log().find("watchlists.toml:"), std::string::npos) << daemon->log();
    EXPECT_TRUE(daemon->running());
    write_config();
    daemon->signal(SIGHUP);
    ASSERT_TRUE(eventually(
        [&] { return metric(http_get(metrics_url()), "feedwatch_config_last_reload_successful") == 1; }, 10s));
    stop_daemon(*daemon);
}

TEST_F(Daemon, ChangingAWatchlistFileReloadsWithoutSighup)
{
    serve_initial_feeds();
    auto daemon = start_daemon(write_config());
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() >= 3; }, 30s)) << daemon->log();

    // An invalid file is reported and the running watchlists stay.
    write_config("[[watchlist]]\nname = \"trams\"\nquery = 'tram*)'\nnotify = [\"hook\"]\n");
    ASSERT_TRUE(eventually(
        [&] { return metric(http_get(metrics_url()), "feedwatch_config_last_reload_successful") == 0; }, 10s))
        << daemon->log();
    EXPECT_NE(daemon->log().find("watchlists.toml:7:15: watchlist \"trams\": query: unexpected ')'"), std::string::npos)
        << daemon->log();

    write_config("[[watchlist]]\nname = \"trams\"\nquery = 'tram* -budget'\nnotify = [\"hook\"]\n");
    ASSERT_TRUE(eventually(
        [&] { return metric(http_get(metrics_url()), "feedwatch_config_last_reload_successful") == 1; }, 10s))
        << daemon->log();
    EXPECT_NE(daemon->log().find("reason=\"a config file changed\""), std::string::npos) << daemon->log();
    EXPECT_EQ(daemon->log().find("reason=SIGHUP"), std::string::npos) << daemon->log();

    m_origin->set("/wire.xml", rss(rss_item("w2", "Council approves tram budget", "The vote was 31 to 9.") +
                                   rss_item("w4", "Tramway extended to the airport", "Works start in May.")));
    ASSERT_TRUE(eventually(
        [&] {
            for (const auto& delivery : m_receiver->deliveries()) {
                if (nlohmann::json::parse(delivery.body)["data"]["watchlist"] == "trams") {
                    return true;
                }
            }
            return false;
        },
        30s))
        << daemon->log();
    for (const auto& delivery : m_receiver->deliveries()) {
        const auto payload = nlohmann::json::parse(delivery.body);
        if (payload["data"]["watchlist"] == "trams") {
            EXPECT_EQ(payload["data"]["article"]["title"], "Tramway extended to the airport");
        }
    }
    stop_daemon(*daemon);
}

TEST(DaemonCommandLine, CheckConfigPrintsFileLineColumnAndExits78)
{
    const auto dir = std::filesystem::temp_directory_path() / ("feedwatch-e2e-check-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "bad.toml") << "[daemon]\nstate_dir = \"/tmp/x\"\nlisten = \"127.0.0.1:0\"\nlisen = 1\n";
    DaemonProcess check(FEEDWATCHD_BINARY, {"--check-config", (dir / "bad.toml").string()}, dir / "out.log");
    const auto status = check.wait(20s);
    ASSERT_TRUE(status);
    EXPECT_EQ(WEXITSTATUS(*status), 78);
    EXPECT_NE(check.log().find((dir / "bad.toml").string() + ":4:1: "), std::string::npos) << check.log();
    std::filesystem::remove_all(dir);
}

TEST(DaemonCommandLine, VersionPrintsTheVersion)
{
    const auto log = std::filesystem::temp_directory_path() / ("feedwatch-e2e-version-" + std::to_string(::getpid()));
    DaemonProcess version(FEEDWATCHD_BINARY, {"--version"}, log);
    const auto status = version.wait(20s);
    ASSERT_TRUE(status);
    EXPECT_EQ(WEXITSTATUS(*status), 0);
    EXPECT_EQ(version.log(), "feedwatchd " FEEDWATCH_VERSION "\n");
    std::filesystem::remove(log);
}

// Runs the feedwatch CLI; returns its exit status and stdout.
std::pair<int, std::string> run_cli(const std::vector<std::string>& args, const std::filesystem::path& output)
{
    std::string command = FEEDWATCH_CLI_BINARY;
    for (const auto& arg : args) {
        command += " '" + arg + "'";
    }
    command += " > '" + output.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(output);
    std::ostringstream text;
    text << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

TEST_F(Daemon, ReceiverDownThenBackGetsEveryAlertOnceWithinOneBackoffStep)
{
    serve_initial_feeds();
    m_receiver->set_status(503);
    const auto config = write_config();
    std::ofstream(config, std::ios::app) << "test_retry_scale = 0.01\n";  // 5 s, 30 s, 2 m ... -> 1 s, 1 s, 1.2 s, 3 s, 6 s, 9 s
    auto daemon = start_daemon(config);
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() >= 3; }, 30s)) << daemon->log();
    m_origin->publish("/wire.xml", rss_item("w9", "Huawei named in new filing", "A new case."));
    std::this_thread::sleep_for(8s);  // the receiver stays down: several retries each
    const std::size_t failed = m_receiver->deliveries().size();
    ASSERT_GE(failed, 8u);
    m_receiver->set_status(200);
    const auto back = std::chrono::steady_clock::now();
    // One step of the scaled schedule after ~8 s of failures is at most 9 s (+10% jitter, +1 s
    // for whole-second scheduling).
    ASSERT_TRUE(eventually(
        [&] {
            const auto deliveries = m_receiver->deliveries();
            std::set<std::string> ids;
            for (std::size_t i = failed; i < deliveries.size(); ++i) {
                ids.insert(deliveries[i].id);
            }
            return ids.size() >= 4;
        },
        12s))
        << daemon->log();
    std::cout << "receiver back: every alert arrived after "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - back).count() << " s\n";
    std::this_thread::sleep_for(1500ms);
    const auto deliveries = m_receiver->deliveries();
    std::map<std::string, int> accepted;
    std::set<std::string> all_ids;
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
        all_ids.insert(deliveries[i].id);
        EXPECT_TRUE(deliveries[i].signature_valid);
        if (i >= failed) {
            ++accepted[deliveries[i].id];
        }
    }
    EXPECT_EQ(all_ids.size(), 4u);  // retries never mint a new id
    EXPECT_EQ(accepted.size(), 4u);
    for (const auto& [id, count] : accepted) {
        EXPECT_EQ(count, 1) << id;
    }
    stop_daemon(*daemon);
}

TEST_F(Daemon, AlertsCommandListsAndRequeuesWhileTheDaemonRuns)
{
    serve_initial_feeds();
    m_receiver->set_status(500);
    const auto config = write_config();
    std::ofstream(config, std::ios::app) << "give_up_after = \"1s\"\n";
    auto daemon = start_daemon(config);
    const std::string listen = "127.0.0.1:" + std::to_string(m_port);
    // Every alert fails once, then is older than give_up_after: dead.
    ASSERT_TRUE(eventually(
        [&] {
            return metric(http_get(metrics_url()), "feedwatch_alerts_dead_total{webhook=\"hook\"}") == 3;
        },
        30s))
        << daemon->log();
    auto [status, text] = run_cli({"alerts", "list", "--dead", "--json", "--listen", listen}, m_dir / "cli.out");
    ASSERT_EQ(status, 0) << text;
    const auto listed = nlohmann::json::parse(text);
    ASSERT_EQ(listed["alerts"].size(), 3u) << text;
    EXPECT_EQ(listed["alerts"][0]["state"], "dead");
    const std::string first_id = listed["alerts"][0]["id"];
    std::tie(status, text) = run_cli({"alerts", "list", "--pending", "--listen", listen}, m_dir / "cli.out");
    EXPECT_EQ(status, 0);
    EXPECT_NE(text.find("no alerts"), std::string::npos) << text;

    m_receiver->set_status(200);
    const std::size_t before = m_receiver->deliveries().size();
    std::tie(status, text) = run_cli({"alerts", "requeue", first_id, "--config", config.string()}, m_dir / "cli.out");
    ASSERT_EQ(status, 0) << text;
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() == before + 1; }, 10s)) << daemon->log();
    EXPECT_EQ(m_receiver->deliveries().back().id, first_id);
    std::tie(status, text) = run_cli({"alerts", "requeue", "--dead", "--listen", listen}, m_dir / "cli.out");
    ASSERT_EQ(status, 0) << text;
    EXPECT_NE(text.find("requeued 2 alerts"), std::string::npos) << text;
    ASSERT_TRUE(eventually([&] { return m_receiver->deliveries().size() == before + 3; }, 10s)) << daemon->log();
    std::tie(status, text) = run_cli({"alerts", "requeue", "msg_nope", "--listen", listen}, m_dir / "cli.out");
    EXPECT_EQ(status, 1) << text;
    stop_daemon(*daemon);
}

}  // namespace
}  // namespace feedwatch
