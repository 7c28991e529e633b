#pragma once
// Runs an awaitable on an io_context until it completes, with a deadline, so that a hung
// coroutine fails the test instead of stalling the suite. Other work on the io_context
// (servers, idle curl connections) keeps running meanwhile and is left in place.
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/asio.hpp"

namespace feedwatch::test {

using namespace std::chrono_literals;

// Runs handlers until done() is true. Returns false on timeout or when the io_context runs
// out of work first.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::steady_clock::duration timeout = 10s)
{
    if (io.stopped()) {
        io.restart();
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        if (io.run_one_until(deadline) == 0 && io.stopped()) {
            return done();
        }
    }
    return true;
}

// The awaitable's value (T default-constructible: Boost 1.74's co_spawn needs it); throws std::runtime_error on timeout (GoogleTest reports it as a
// failure) and rethrows what the awaitable threw.
template <class T>
T run_until_complete(asio::io_context& io, asio::awaitable<T> awaitable,
                     std::chrono::steady_clock::duration timeout = 10s)
{
    // Shared, not captured by reference: after a timeout the handler may still run later.
    struct State {
        std::optional<T> value;
        std::exception_ptr failure;
        bool complete = false;
    };
    auto state = std::make_shared<State>();
    asio::co_spawn(io, std::move(awaitable), [state](std::exception_ptr error, T result) {
        state->failure = error;
        if (!error) {
            state->value.emplace(std::move(result));
        }
        state->complete = true;
    });
    if (!run_until(io, [&] { return state->complete; }, timeout)) {
        throw std::runtime_error("run_until_complete: awaitable did not complete in time");
    }
    if (state->failure) {
        std::rethrow_exception(state->failure);
    }
    return std::move(*state->value);
}

inline void run_until_complete(asio::io_context& io, asio::awaitable<void> awaitable,
                               std::chrono::steady_clock::duration timeout = 10s)
{
    struct State {
        std::exception_ptr failure;
        bool complete = false;
    };
    auto state = std::make_shared<State>();
    asio::co_spawn(io, std::move(awaitable), [state](std::exception_ptr error) {
        state->failure = error;
        state->complete = true;
    });
    if (!run_until(io, [&] { return state->complete; }, timeout)) {
        throw std::runtime_error("run_until_complete: awaitable did not complete in time");
    }
    if (state->failure) {
        std::rethrow_exception(state->failure);
    }
}

}  // namespace feedwatch::test
