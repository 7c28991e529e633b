#include "core/result.hpp"

namespace feedwatch::core {

std::string_view to_string(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::io: return "io";
    case ErrorCode::network: return "network";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::blocked: return "blocked";
    case ErrorCode::http_status: return "http_status";
    case ErrorCode::parse: return "parse";
    case ErrorCode::store: return "store";
    case ErrorCode::cancelled: return "cancelled";
    }
    return "unknown";
}

}  // namespace feedwatch::core
