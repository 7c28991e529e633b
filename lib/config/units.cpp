// Durations and sizes as written in the config file.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "config/config.hpp"

namespace feedwatch::config {
namespace {

struct Unit {
    std::string_view suffix;
    std::uint64_t factor;
};

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// Reads a run of digits at text[pos]; nullopt when there is none or it overflows.
std::optional<std::uint64_t> read_number(std::string_view text, std::size_t& pos)
{
    const std::size_t start = pos;
    std::uint64_t value = 0;
    while (pos < text.size() && is_digit(text[pos])) {
        const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
        ++pos;
    }
    if (pos == start) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint64_t> multiply(std::uint64_t value, std::uint64_t factor)
{
    if (factor != 0 && value > std::numeric_limits<std::uint64_t>::max() / factor) {
        return std::nullopt;
    }
    return value * factor;
}

}  // namespace

std::optional<Seconds> parse_duration(std::string_view text)
{
    // Units from largest to smallest; each may appear once, in this order ("1h30m", not "30m1h").
    static constexpr std::array<Unit, 4> k_units{{{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}};
    std::size_t pos = 0;
    std::size_t next_unit = 0;
    std::uint64_t total = 0;
    while (pos < text.size()) {
        const auto number = read_number(text, pos);
        if (!number || pos == text.size()) {
            return std::nullopt;
        }
        std::size_t unit = next_unit;
        while (unit < k_units.size() && text.substr(pos, 1) != k_units[unit].suffix) {
            ++unit;
        }
        if (unit == k_units.size()) {
            return std::nullopt;
        }
        const auto part = multiply(*number, k_units[unit].factor);
        if (!part || *part > std::numeric_limits<std::uint64_t>::max() - total) {
            return std::nullopt;
        }
        total += *part;
        pos += 1;
        next_unit = unit + 1;
    }
    constexpr auto k_max = static_cast<std::uint64_t>(std::numeric_limits<Seconds::rep>::max());
    if (total == 0 || total > k_max) {
        return std::nullopt;
    }
    return Seconds(static_cast<Seconds::rep>(total));
}

std::optional<std::uint64_t> parse_size(std::string_view text)
{
    static constexpr std::array<Unit, 9> k_units{{
        {"B", 1},
        {"kB", 1000},
        {"MB", 1000 * 1000},
        {"GB", 1000 * 1000 * 1000},
        {"TB", 1000ull * 1000 * 1000 * 1000},
        {"KiB", 1ull << 10},
        {"MiB", 1ull << 20},
        {"GiB", 1ull << 30},
        {"TiB", 1ull << 40},
    }};
    std::size_t pos = 0;
    const auto number = read_number(text, pos);
    if (!number) {
        return std::nullopt;
    }
    while (pos < text.size() && text[pos] == ' ') {
        ++pos;
    }
    const std::string_view suffix = text.substr(pos);
    if (suffix.empty()) {
        return pos == text.size() && text.back() != ' ' ? number : std::nullopt;
    }
    for (const auto& unit : k_units) {
        if (suffix == unit.suffix) {
            return multiply(*number, unit.factor);
        }
    }
    return std::nullopt;
}

}  // namespace feedwatch::config
