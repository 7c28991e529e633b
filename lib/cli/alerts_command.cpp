// feedwatch alerts list|requeue: talks to the running daemon's listener (/api/v1/alerts),
// because the daemon holds the store's lock and its deliverer must learn about a requeue.
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/asio.hpp"
#include "http/client.hpp"

namespace feedwatch::cli {
namespace {

using nlohmann::json;

constexpr const char* k_usage =
    "usage: feedwatch alerts list [--pending|--dead] [--json] [--config FILE | --listen HOST:PORT]\n"
    "       feedwatch alerts requeue ID|--dead [--config FILE | --listen HOST:PORT]\n"
    "The daemon must be running; --listen defaults to [daemon] listen of --config\n"
    "(default /etc/feedwatch/feedwatch.toml), whose api_token_file is sent as a bearer token.\n";

struct Reply {
    long status = 0;
    std::string body;
    std::string error;
};

Reply call(const std::string& method, const std::string& url, const std::string& body, const std::string& token)
{
    asio::io_context io;
    http::Client client(io);
    Reply reply;
    auto exchange = [&]() -> asio::awaitable<void> {
        http::Request request;
        request.method = method;
        request.url = url;
        request.body = body;
        if (method == "POST") {
            request.headers.push_back(http::Header{"Content-Type", "application/json"});
        }
        if (!token.empty()) {
            request.headers.push_back(http::Header{"Authorization", "Bearer " + token});
        }
        request.timeout = std::chrono::seconds{10};
        request.max_redirects = 0;
        request.private_networks = http::PrivateNetworks::allow;  // the daemon's own listener
        auto response = co_await client.perform(std::move(request));
        if (response) {
            reply.status = response->status;
            reply.body = std::move(response->body);
        } else {
            reply.error = response.error().detail;
        }
        client.stop();
    };
    asio::co_spawn(io, exchange(), asio::detached);
    io.run();
    return reply;
}

// "0.0.0.0:9464" and "[::]:9464" are reached on loopback.
std::string base_url(std::string listen)
{
    if (listen.starts_with("0.0.0.0:")) {
        listen = "127.0.0.1:" + listen.substr(8);
    } else if (listen.starts_with("[::]:")) {
        listen = "[::1]:" + listen.substr(5);
    }
    return "http://" + listen;
}

struct Daemon {
    std::string listen;
    std::string token;  // [daemon] api_token_file content; never printed
};

std::optional<Daemon> find_daemon(const std::string& config_path, const std::string& listen)
{
    if (!listen.empty()) {
        return Daemon{listen, {}};
    }
    const auto loaded = config::load_config(config_path);
    if (!loaded) {
        for (const auto& error : loaded.error()) {
            std::cerr << error.to_string() << '\n';
        }
        std::cerr << "feedwatch alerts: cannot read the daemon's listen address; pass --listen HOST:PORT\n";
        return std::nullopt;
    }
    return Daemon{loaded->daemon.listen, loaded->daemon.api_token};
}

void print_table(const json& alerts)
{
    if (alerts.empty()) {
        std::cout << "no alerts\n";
        return;
    }
    for (const json& alert : alerts) {
        std::cout << alert.value("id", "") << "  " << alert.value("state", "") << "  webhook=" << alert.value("webhook", "")
                  << "  watchlist=" << alert.value("watchlist", "") << "  attempts=" << alert.value("attempts", 0)
                  << "  created=" << alert.value("created", "");
        if (alert.contains("next_attempt")) {
            std::cout << "  next=" << alert.value("next_attempt", "");
        }
        std::cout << "\n    " << alert.value("title", "") << "  " << alert.value("link", "") << "\n";
    }
    std::cout << alerts.size() << " alerts\n";
}

int failed(const Reply& reply)
{
    if (!reply.error.empty()) {
        std::cerr << "feedwatch alerts: cannot reach the daemon: " << reply.error << "\n";
        return 69;  // EX_UNAVAILABLE
    }
    const json body = json::parse(reply.body, nullptr, false);
    const std::string message =
        !body.is_discarded() && body.is_object() ? body.value("error", reply.body) : reply.body;
    std::cerr << "feedwatch alerts: HTTP " << reply.status << ": " << message << "\n";
    return reply.status == 404 ? 1 : 70;
}

}  // namespace

int alerts_command(const std::vector<std::string>& args)
{
    if (args.empty()) {
        std::cerr << k_usage;
        return 64;
    }
    const std::string& action = args[0];
    std::string config_path = "/etc/feedwatch/feedwatch.toml";
    std::string listen;
    std::string state = "pending";
    std::string id;
    bool all_dead = false;
    bool as_json = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if ((arg == "--config" || arg == "--listen") && i + 1 < args.size()) {
            (arg == "--config" ? config_path : listen) = args[++i];
        } else if (arg == "--pending" && action == "list") {
            state = "pending";
        } else if (arg == "--dead") {
            state = "dead";
            all_dead = true;
        } else if (arg == "--json" && action == "list") {
            as_json = true;
        } else if (action == "requeue" && id.empty() && !arg.starts_with("--")) {
            id = arg;
        } else {
            std::cerr << "feedwatch alerts: unexpected argument '" << arg << "'\n" << k_usage;
            return 64;
        }
    }
    if (action != "list" && action != "requeue") {
        std::cerr << k_usage;
        return 64;
    }
    if (action == "requeue" && id.empty() == !all_dead) {
        std::cerr << "feedwatch alerts requeue: give one ID or --dead\n";
        return 64;
    }
    const auto daemon = find_daemon(config_path, listen);
    if (!daemon) {
        return 78;
    }
    const std::string base = base_url(daemon->listen);
    if (action == "list") {
        const Reply reply = call("GET", base + "/api/v1/alerts?state=" + state, "", daemon->token);
        if (reply.status != 200) {
            return failed(reply);
        }
        if (as_json) {
            std::cout << reply.body;
            return 0;
        }
        const json body = json::parse(reply.body, nullptr, false);
        if (body.is_discarded() || !body.contains("alerts") || !body["alerts"].is_array()) {
            std::cerr << "feedwatch alerts: unexpected answer from the daemon\n";
            return 70;
        }
        print_table(body["alerts"]);
        return 0;
    }
    const json request = all_dead ? json{{"dead", true}} : json{{"id", id}};
    const Reply reply = call("POST", base + "/api/v1/alerts/requeue", request.dump(), daemon->token);
    if (reply.status != 200) {
        return failed(reply);
    }
    const json body = json::parse(reply.body, nullptr, false);
    std::cout << "requeued " << (body.is_discarded() ? 0 : body.value("requeued", 0)) << " alerts\n";
    return 0;
}

}  // namespace feedwatch::cli
