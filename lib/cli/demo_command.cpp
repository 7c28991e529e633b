// feedwatch demo: a loopback feed origin serving the sample feeds (with a new item every
// few seconds) and a webhook receiver that prints each alert. scripts/demo.sh starts it
// next to feedwatchd.
#include <algorithm>
#include <array>
#include <ctime>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/digest.hpp"
#include "core/time.hpp"
#include "demo/feed_origin.hpp"
#include "demo/webhook_receiver.hpp"

namespace feedwatch::cli {
namespace {

struct Breaking {
    const char* title;
    const char* description;
};

// Fictional news, published one at a time into the wire feed while the demo runs.
constexpr std::array<Breaking, 6> k_breaking{{
    {"Grand jury returns indictment against former Kestrel Bank treasurer",
     "Prosecutors in Port Aster said the 14-count indictment accuses the former treasurer of moving client funds "
     "through shell companies over six years."},
    {"Harbor city opens its third ferry terminal",
     "The terminal on the north quay will carry 4,000 passengers a day between Port Aster and the islands."},
    {"Huawei wins contract for Lumen Valley rural network",
     "The regional authority picked Huawei over two rivals to supply radio equipment for 212 villages, officials "
     "said on Tuesday."},
    {"Court schedules hearing in Unit 61398 intrusion case",
     "Lawyers for two defendants accused of working with Unit 61398 asked the court to delay the trial until "
     "spring."},
    {"Weather service expects a mild weekend",
     "Temperatures will stay above seasonal averages, with light rain on Sunday."},
    {"Former mayor pleads not guilty after indictment",
     "The former mayor of Eastbrook entered the plea a day after a state grand jury indicted him on bribery "
     "charges."},
}};

std::string escape_xml(std::string_view text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string rfc822_now()
{
    const std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &parts);
    return buffer;
}

std::string item_xml(const Breaking& news, int sequence)
{
    const std::string id = "demo-breaking-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(sequence);
    return "<item><title>" + escape_xml(news.title) + "</title><link>https://wire.example/news/" + id +
           "</link><guid isPermaLink=\"false\">" + id + "</guid><pubDate>" + rfc822_now() +
           "</pubDate><description>" + escape_xml(news.description) + "</description></item>";
}

std::string read_whole(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

std::string trim(std::string text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? std::string{} : text.substr(first, last - first + 1);
}

// The demo's secret file holds "whsec_<base64>"; the receiver needs the decoded key.
std::vector<std::string> read_secrets(const std::string& path)
{
    if (path.empty()) {
        return {};
    }
    const std::string text = trim(read_whole(path));
    std::string key;
    if (text.rfind("whsec_", 0) == 0 && core::base64_decode(text.substr(6), key)) {
        return {key};
    }
    return {text};
}

struct DemoOptions {
    std::string feeds_dir;
    std::string origin = "127.0.0.1:8081";
    std::string receiver = "127.0.0.1:8082";
    std::string secret_file;
    std::chrono::seconds publish_every{20};
};

}  // namespace

int demo_command(const std::vector<std::string>& args)
{
    DemoOptions options;
    for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
        const std::string& value = args[i + 1];
        if (args[i] == "--feeds") {
            options.feeds_dir = value;
        } else if (args[i] == "--origin") {
            options.origin = value;
        } else if (args[i] == "--receiver") {
            options.receiver = value;
        } else if (args[i] == "--secret-file") {
            options.secret_file = value;
        } else if (args[i] == "--publish-every") {
            const auto every = config::parse_duration(value);
            if (!every) {
                std::cerr << "feedwatch demo: --publish-every: not a duration: " << value << '\n';
                return 64;
            }
            options.publish_every = *every;
        } else {
            std::cerr << "feedwatch demo: unknown option " << args[i] << '\n';
            return 64;
        }
    }
    if (options.feeds_dir.empty() || args.size() % 2 != 0) {
        std::cerr << "usage: feedwatch demo --feeds DIR [--origin HOST:PORT] [--receiver HOST:PORT] "
                     "[--secret-file FILE] [--publish-every DURATION]\n";
        return 64;
    }

    asio::io_context io;
    auto origin = demo::FeedOrigin::listen(io, options.origin);
    if (!origin) {
        std::cerr << "feedwatch demo: feed origin: " << origin.error().detail << '\n';
        return 1;
    }
    auto receiver = demo::WebhookReceiver::listen(io, options.receiver, read_secrets(options.secret_file),
                                                  [](const demo::Delivery& delivery) {
                                                      std::cout << demo::describe_alert(delivery) << std::flush;
                                                  });
    if (!receiver) {
        std::cerr << "feedwatch demo: webhook receiver: " << receiver.error().detail << '\n';
        return 1;
    }
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(options.feeds_dir)) {
        const auto extension = entry.path().extension();
        if (extension != ".xml" && extension != ".atom") {
            continue;
        }
        const std::string path = "/" + entry.path().filename().string();
        (*origin)->set(path, read_whole(entry.path()),
                       extension == ".atom" ? "application/atom+xml; charset=utf-8" : "application/rss+xml; charset=utf-8");
        paths.push_back(path);
    }
    std::sort(paths.begin(), paths.end());
    std::cout << "demo: feed origin on http://" << options.origin << "/ serving " << paths.size()
              << " feeds; webhook receiver on http://" << options.receiver << "/hook\n"
              << std::flush;
    if (paths.empty()) {
        std::cerr << "feedwatch demo: no .xml or .atom feeds in " << options.feeds_dir << '\n';
        return 1;
    }

    // Breaking news goes into the wire feed (or the first one), one item every publish_every.
    const auto wire = std::find(paths.begin(), paths.end(), "/wire.xml");
    const std::string live_path = wire != paths.end() ? *wire : paths.front();
    asio::steady_timer publisher(io);
    int sequence = 0;
    std::function<void(const boost::system::error_code&)> publish = [&](const boost::system::error_code& error) {
        if (error) {
            return;
        }
        const Breaking& news = k_breaking[static_cast<std::size_t>(sequence) % k_breaking.size()];
        (*origin)->publish(live_path, item_xml(news, sequence));
        std::cout << "demo: published \"" << news.title << "\" to " << live_path << '\n' << std::flush;
        ++sequence;
        publisher.expires_after(options.publish_every);
        publisher.async_wait(publish);
    };
    publisher.expires_after(options.publish_every);
    publisher.async_wait(publish);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int) {
        if (!error) {
            publisher.cancel();
            (*origin)->stop();
            (*receiver)->stop();
        }
    });
    io.run();
    std::cout << "demo: stopped after " << (*receiver)->deliveries().size() << " webhook deliveries\n";
    return 0;
}

}  // namespace feedwatch::cli
