#include "core/time.hpp"

#include <charconv>
#include <cstdio>

namespace feedwatch::core {

Instant now()
{
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string format_rfc3339(Instant instant)
{
    const auto day = std::chrono::floor<std::chrono::days>(instant);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss time{instant - day};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return buffer;
}

namespace {

bool read_int(std::string_view text, std::size_t pos, std::size_t width, int& out)
{
    if (pos + width > text.size()) {
        return false;
    }
    const char* begin = text.data() + pos;
    const auto [end, error] = std::from_chars(begin, begin + width, out);
    return error == std::errc{} && end == begin + width;
}

}  // namespace

std::optional<Instant> parse_rfc3339(std::string_view text)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_int(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !read_int(text, 5, 2, month) ||
        text[7] != '-' || !read_int(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
        !read_int(text, 11, 2, hour) || text[13] != ':' || !read_int(text, 14, 2, minute) || text[16] != ':' ||
        !read_int(text, 17, 2, second)) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            ++pos;
        }
    }
    int offset_minutes = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int offset_hours = 0, offset_mins = 0;
        if (!read_int(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !read_int(text, pos + 4, 2, offset_mins)) {
            return std::nullopt;
        }
        offset_minutes = (offset_hours * 60 + offset_mins) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    return Instant{std::chrono::sys_days{date}} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
           std::chrono::seconds{second} - std::chrono::minutes{offset_minutes};
}

}  // namespace feedwatch::core
