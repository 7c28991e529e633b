#pragma once
// The orchestrator: owns the HTTP client, the listener, the deliverer and one poll loop per
// feed, all on one io_context. poll_feed() reads as the list of stages:
// fetch -> parse -> dedupe -> match -> commit (one WriteBatch) -> wake the deliverer.
#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "core/asio.hpp"
#include "core/result.hpp"
#include "metrics/metrics.hpp"
#include "store/store.hpp"

namespace feedwatch::pipeline {

class App {
public:
    // store and metrics outlive the App.
    App(asio::io_context& io, config::Config config, store::Store& store, metrics::Metrics& metrics);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Binds the listener ([daemon] listen: /metrics, /healthz), starts the deliverer and the
    // feed loops. Fails (ErrorCode::io) when the listener cannot bind.
    core::Result<void> start();

    // Applies a validated configuration: feeds added/removed, watchlists and webhooks
    // replaced. A changed listen address or state_dir needs a restart and is logged.
    void reload(config::Config config);

    // Stops feed loops, deliverer, listener and HTTP client so io_context::run() returns.
    // Idempotent.
    void stop();

    // True while the store answers.
    bool healthy() const;
    // The listener's bound port (useful with "127.0.0.1:0").
    std::uint16_t port() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace feedwatch::pipeline
