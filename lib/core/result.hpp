#pragma once
// Errors as values at stage boundaries: every failure the outside world can cause is a
// Result<T> carrying an ErrorCode (drives retries, backoff and metric labels) and a detail
// for humans. Exceptions are kept for programmer errors and startup.
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace feedwatch::core {

enum class ErrorCode {
    invalid_argument,  // caller passed something unusable (bad URL, bad query)
    io,                // local file or socket failure
    network,           // DNS, connect, TLS, reset
    timeout,           // a deadline passed
    too_large,         // a size cap was hit
    blocked,           // refused by policy (private address, scheme)
    http_status,       // a complete HTTP exchange with an unwanted status
    parse,             // input not understood (XML, JSON, TOML, query)
    store,             // RocksDB failure
    cancelled,         // component stopped
};

// Stable lower-case name, usable as a metric label value.
std::string_view to_string(ErrorCode code) noexcept;

struct Error {
    ErrorCode code;
    std::string detail;
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string detail)
{
    return tl::unexpected<Error>(Error{code, std::move(detail)});
}

}  // namespace feedwatch::core
