// feedwatchd: argv, configuration, signals and systemd notification around pipeline::App.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>
#include <malloc.h>
#include <systemd/sd-daemon.h>

#include "config/config.hpp"
#include "core/asio.hpp"
#include "core/log_field.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/app.hpp"
#include "pipeline/config_watcher.hpp"
#include "store/store.hpp"

namespace {

constexpr int k_exit_config = 78;  // EX_CONFIG
// A burst of writes to the config files (an editor saving, a deploy copying several) reloads
// once, this long after the last one.
constexpr std::chrono::milliseconds k_reload_quiet{300};

using namespace feedwatch;

int usage(std::ostream& out, int code)
{
    out << "usage: feedwatchd --config FILE\n"
           "       feedwatchd --check-config FILE\n"
           "       feedwatchd --version\n";
    return code;
}

// sd-daemon(3) priority prefix ("<3>" = SD_ERR) so that journald files each line at its level.
class JournalPriority final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override
    {
        static constexpr const char* k_prefix[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
        const auto level = static_cast<std::size_t>(message.level);
        const std::string_view prefix = k_prefix[level < 7 ? level : 6];
        out.append(prefix.data(), prefix.data() + prefix.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JournalPriority>(); }
};

// One line per event. Under systemd (stdout/stderr connected to journald, $JOURNAL_STREAM
// set) each line starts with its priority and carries no timestamp (journald adds one).
void set_up_logging()
{
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
        formatter->add_flag<JournalPriority>('*').set_pattern("%*%l: %v");
    } else {
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l: %v");
    }
    spdlog::set_formatter(std::move(formatter));
}

// Reports every problem as FILE:LINE:COL: message. --check-config prints bare FILE:LINE:COL lines for editors; the daemon logs them as errors
// (with the journald priority) so that a bad reload shows up in `journalctl -p err`.
enum class Report { plain, log };

std::optional<config::Config> load_or_report(const std::string& path, Report report = Report::log)
{
    auto loaded = config::load_config(path);
    if (!loaded) {
        for (const auto& error : loaded.error()) {
            if (report == Report::plain) {
                std::cerr << error.to_string() << '\n';
            } else {
                spdlog::error("{}", error.to_string());
            }
        }
        return std::nullopt;
    }
    return std::move(*loaded);
}

// Sends WATCHDOG=1 at half the interval systemd asked for, but only while the app is healthy,
// so a wedged store gets the service restarted.
void schedule_watchdog(asio::steady_timer& timer, std::chrono::microseconds period, const pipeline::App& app)
{
    timer.expires_after(period);
    timer.async_wait([&timer, period, &app](const boost::system::error_code& error) {
        if (error) {
            return;
        }
        if (app.healthy()) {
            sd_notify(0, "WATCHDOG=1");
        } else {
            spdlog::error("store does not answer; withholding the watchdog ping hint={}",
                          core::log_value("check the disk under [daemon] state_dir; systemd restarts feedwatchd if this lasts"));
        }
        schedule_watchdog(timer, period, app);
    });
}

int run(const std::string& config_path)
{
    auto config = load_or_report(config_path);
    if (!config) {
        return k_exit_config;
    }
    auto store = store::Store::open(config->daemon.state_dir);
    if (!store) {
        spdlog::critical("cannot open the store state_dir={} detail={} hint={}",
                         core::log_value(config->daemon.state_dir.string()), core::log_value(store.error().detail),
                         core::log_value("check that the directory is writable and no other feedwatchd uses it"));
        return EXIT_FAILURE;
    }
    metrics::Metrics metrics(FEEDWATCH_VERSION);
    asio::io_context io;
    // SIGHUP and a change of the config file or a watchlist file (inotify) reload the same way.
    const auto watched_files = [&config_path](const config::Config& loaded) {
        std::vector<std::filesystem::path> files{config_path};
        files.insert(files.end(), loaded.watchlist_files.begin(), loaded.watchlist_files.end());
        return files;
    };
    const std::vector<std::filesystem::path> first_files = watched_files(*config);
    const std::string listen = config->daemon.listen;
    const std::size_t feed_count = config->feeds.size();
    const std::size_t watchlist_count = config->watchlists.size();
    // Moved, not copied: with 100,000 feeds a copy of the config is ~10 MB.
    pipeline::App app(io, std::move(*config), **store, metrics);
    config.reset();
    if (auto started = app.start(); !started) {
        spdlog::critical("cannot start listen={} detail={} hint={}", core::log_value(listen),
                         core::log_value(started.error().detail),
                         core::log_value("choose a free [daemon] listen address or stop the process using it"));
        return EXIT_FAILURE;
    }
    spdlog::info("feedwatchd started version={} feeds={} watchlists={} listen={} port={}", FEEDWATCH_VERSION,
                 feed_count, watchlist_count, core::log_value(listen), app.port());
    sd_notify(0, "READY=1");

    asio::steady_timer watchdog(io);
    std::uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
        schedule_watchdog(watchdog, std::chrono::microseconds{watchdog_usec / 2}, app);
    }

    std::function<void()> on_config_change;
    pipeline::ConfigWatcher watcher(io, k_reload_quiet, [&on_config_change] { on_config_change(); });
    const auto reload = [&](std::string_view why) {
        spdlog::info("reloading the configuration reason={}", core::log_value(why));
        sd_notify(0, "RELOADING=1");
        if (auto reloaded = load_or_report(config_path)) {
            if (auto watching = watcher.watch(watched_files(*reloaded)); !watching) {
                spdlog::warn("not watching the config files; reload with SIGHUP detail={}",
                             core::log_value(watching.error().detail));
            }
            app.reload(std::move(*reloaded));
            metrics.set_config_reload_successful(true);
        } else {
            spdlog::error("configuration is invalid; keeping the running one config={} hint={}",
                          core::log_value(config_path),
                          core::log_value("run feedwatch check-config " + config_path + " and fix what it reports"));
            metrics.set_config_reload_successful(false);
        }
        sd_notify(0, "READY=1");
    };
    on_config_change = [&reload] { reload("a config file changed"); };
    if (auto watching = watcher.watch(first_files); !watching) {
        spdlog::warn("not watching the config files; reload with SIGHUP detail={}",
                     core::log_value(watching.error().detail));
    }

    asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& error, int signal_number) {
            if (error) {
                return;
            }
            if (signal_number == SIGHUP) {
                reload("SIGHUP");
                signals.async_wait(on_signal);
                return;
            }
            spdlog::info("stopping signal={}", signal_number);
            sd_notify(0, "STOPPING=1");
            watchdog.cancel();
            watcher.stop();
            app.stop();
            signals.cancel();
        };
    signals.async_wait(on_signal);
    io.run();
    spdlog::info("stopped");
    return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv)
{
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "--version") {
        std::cout << "feedwatchd " FEEDWATCH_VERSION "\n";
        return EXIT_SUCCESS;
    }
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
        return usage(std::cout, EXIT_SUCCESS);
    }
    if (args.size() != 2) {
        return usage(std::cerr, 64);
    }
    const std::string path(args[1]);
    if (args[0] == "--check-config") {
        return load_or_report(path, Report::plain) ? EXIT_SUCCESS : k_exit_config;
    }
    if (args[0] == "--config") {
        // glibc gives every thread that allocates its own arena and rarely returns their
        // memory: the ingest workers and RocksDB's threads each kept tens of MiB of freed
        // parse buffers. Two arenas keep the 100,000-feed daemon's RSS bounded.
        mallopt(M_ARENA_MAX, 2);
        set_up_logging();
        try {
            return run(path);
        } catch (const std::exception& error) {
            spdlog::critical("startup failed detail={}", core::log_value(error.what()));
            return EXIT_FAILURE;
        }
    }
    return usage(std::cerr, 64);
}
