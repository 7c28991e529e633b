// A real Prometheus (Debian's `prometheus`) on loopback scrapes a real feedwatchd and answers
// a query for a feedwatch metric through its HTTP API.
#include <cctype>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/asio.hpp"
#include "e2e/daemon_process.hpp"
#include "http/client.hpp"
#include "support/loopback_http.hpp"

namespace feedwatch {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::eventually;

using test::free_port;
using test::http_get;

void replace_all(std::string& text, const std::string& from, const std::string& to)
{
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

std::string percent_encode(const std::string& text)
{
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += '%';
            out.push_back(k_hex[c >> 4]);
            out.push_back(k_hex[c & 15]);
        }
    }
    return out;
}

TEST(Prometheus, ScrapesTheDaemonAndAnswersAQueryForItsBuildInfo)
{
    const std::filesystem::path prometheus = "/usr/bin/prometheus";
    if (!std::filesystem::exists(prometheus)) {
        GTEST_SKIP() << "Debian package prometheus is not installed (scripts/install-deps.sh installs it)";
    }
    const auto dir = std::filesystem::temp_directory_path() / ("feedwatch-prometheus-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto daemon_port = free_port();
    const auto prometheus_port = free_port();

    std::ofstream(dir / "feedwatch.toml") << "[daemon]\nstate_dir = \"" << (dir / "state").string() << "\"\n"
                                          << "listen = \"127.0.0.1:" << daemon_port << "\"\n";
    DaemonProcess daemon(FEEDWATCHD_BINARY, {"--config", (dir / "feedwatch.toml").string()}, dir / "daemon.log");
    ASSERT_TRUE(eventually([&] { return !http_get("http://127.0.0.1:" + std::to_string(daemon_port) + "/metrics").empty(); },
                           20s))
        << daemon.log();

    std::ofstream(dir / "prometheus.yml") << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                          << "rule_files:\n  - " << FEEDWATCH_SOURCE_DIR
                                          << "/deploy/prometheus/rules/feedwatch.rules.yml\n"
                                          << "scrape_configs:\n  - job_name: feedwatch\n    static_configs:\n"
                                          << "      - targets: ['127.0.0.1:" << daemon_port << "']\n";
    DaemonProcess server(prometheus.string(),
                         {"--config.file=" + (dir / "prometheus.yml").string(),
                          "--storage.tsdb.path=" + (dir / "tsdb").string(),
                          "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
                         dir / "prometheus.log");
    const std::string query = "http://127.0.0.1:" + std::to_string(prometheus_port) +
                              "/api/v1/query?query=feedwatch_build_info";
    nlohmann::json answer;
    ASSERT_TRUE(eventually(
        [&] {
            const std::string body = http_get(query);
            if (body.empty()) {
                return false;
            }
            answer = nlohmann::json::parse(body, nullptr, false);
            return !answer.is_discarded() && answer["status"] == "success" && !answer["data"]["result"].empty();
        },
        60s))
        << server.log();
    const auto& sample = answer["data"]["result"][0];
    EXPECT_EQ(sample["metric"]["job"], "feedwatch");
    EXPECT_EQ(sample["metric"]["version"], FEEDWATCH_VERSION);
    EXPECT_EQ(sample["value"][1], "1");

    // Every query of the Grafana dashboard is valid PromQL for this Prometheus.
    std::ifstream dashboard_file(std::string(FEEDWATCH_SOURCE_DIR) + "/deploy/grafana/feedwatch.json");
    const auto dashboard = nlohmann::json::parse(dashboard_file);
    int queries = 0;
    for (const auto& panel : dashboard["panels"]) {
        for (const auto& target : panel["targets"]) {
            std::string expr = target["expr"];
            replace_all(expr, "$__rate_interval", "1m");
            replace_all(expr, "$job", ".*");
            const std::string body = http_get("http://127.0.0.1:" + std::to_string(prometheus_port) +
                                              "/api/v1/query?query=" + percent_encode(expr));
            const auto result = nlohmann::json::parse(body.empty() ? "{}" : body, nullptr, false);
            EXPECT_TRUE(!result.is_discarded() && result.value("status", "") == "success")
                << panel["title"] << ": " << expr << " -> " << body;
            ++queries;
        }
    }
    EXPECT_GE(queries, 14);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace feedwatch
