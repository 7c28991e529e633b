#pragma once
// Reloads on a change of the configuration files without SIGHUP: inotify on the directories
// that hold them (an editor that saves by writing a new file and renaming it over the old
// one is seen too), on the Asio loop, debounced so that a burst of writes reloads once.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "core/asio.hpp"
#include "core/result.hpp"

namespace feedwatch::pipeline {

class ConfigWatcher {
public:
    // on_change runs on io's thread, once per burst of changes, `quiet` after the last one.
    ConfigWatcher(asio::io_context& io, std::chrono::milliseconds quiet, std::function<void()> on_change);
    ~ConfigWatcher();
    ConfigWatcher(const ConfigWatcher&) = delete;
    ConfigWatcher& operator=(const ConfigWatcher&) = delete;

    // Watches exactly these files from now on (plus new *.toml files in their directories, which
    // a watchlist_files glob may pick up). Fails when inotify is unavailable or a directory
    // cannot be watched; the previous set is dropped either way.
    core::Result<void> watch(const std::vector<std::filesystem::path>& files);

    // Idempotent. No callback runs after stop().
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

}  // namespace feedwatch::pipeline
