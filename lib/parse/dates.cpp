#include "parse/dates.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace feedwatch::parse {
namespace {

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string lower(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

struct Fields {
    int year = -1, month = -1, day = -1;
    int hour = 0, minute = 0, second = 0;
    int offset_minutes = 0;
};

std::optional<core::Instant> to_instant(const Fields& f)
{
    if (f.year < 0 || f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 24 || f.minute > 59 || f.second > 60) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year{f.year}, std::chrono::month{static_cast<unsigned>(f.month)},
                                           std::chrono::day{static_cast<unsigned>(f.day)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    return core::Instant{std::chrono::sys_days{date}} + std::chrono::hours{f.hour} + std::chrono::minutes{f.minute} +
           std::chrono::seconds{std::min(f.second, 59)} - std::chrono::minutes{f.offset_minutes};
}

// Reads up to max_digits digits at text[pos]; returns the count read (0 when none).
std::size_t read_number(std::string_view text, std::size_t pos, std::size_t max_digits, int& out)
{
    std::size_t count = 0;
    out = 0;
    while (pos + count < text.size() && count < max_digits && is_digit(text[pos + count])) {
        out = out * 10 + (text[pos + count] - '0');
        ++count;
    }
    return count;
}

// "Z", "+hh:mm", "+hhmm", "+hh" at text[pos]; sets minutes east of UTC; returns the
// position after the zone, or npos when malformed.
std::size_t read_numeric_zone(std::string_view text, std::size_t pos, int& offset_minutes)
{
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        offset_minutes = 0;
        return pos + 1;
    }
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) {
        return std::string_view::npos;
    }
    const int sign = text[pos] == '-' ? -1 : 1;
    int hours = 0, minutes = 0;
    std::size_t cursor = pos + 1;
    const std::size_t hour_digits = read_number(text, cursor, 4, hours);
    if (hour_digits == 4) {
        minutes = hours % 100;
        hours /= 100;
        cursor += 4;
    } else if (hour_digits == 2 || hour_digits == 1) {
        cursor += hour_digits;
        if (cursor < text.size() && text[cursor] == ':') {
            if (read_number(text, cursor + 1, 2, minutes) != 2) {
                return std::string_view::npos;
            }
            cursor += 3;
        }
    } else {
        return std::string_view::npos;
    }
    if (hours > 14 || minutes > 59) {
        return std::string_view::npos;
    }
    offset_minutes = sign * (hours * 60 + minutes);
    return cursor;
}

// ISO 8601 / W3C-DTF: YYYY[-MM[-DD]][(T| )hh:mm[:ss[.frac]][zone]], and the basic form
// YYYYMMDD[Thhmmss].
std::optional<core::Instant> parse_iso8601(std::string_view text)
{
    Fields f;
    f.month = 1;
    f.day = 1;
    std::size_t pos = 0;
    if (read_number(text, 0, 4, f.year) != 4) {
        return std::nullopt;
    }
    pos = 4;
    const bool extended = pos < text.size() && text[pos] == '-';
    if (extended) {
        if (read_number(text, pos + 1, 2, f.month) != 2) {
            return std::nullopt;
        }
        pos += 3;
        if (pos < text.size() && text[pos] == '-') {
            if (read_number(text, pos + 1, 2, f.day) != 2) {
                return std::nullopt;
            }
            pos += 3;
        }
    } else if (int month = 0, day = 0;
               read_number(text, pos, 2, month) == 2 && read_number(text, pos + 2, 2, day) == 2) {
        f.month = month;
        f.day = day;
        pos += 4;
    } else if (pos != text.size()) {
        return std::nullopt;
    }
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
        ++pos;
        const std::size_t hour_digits = read_number(text, pos, 2, f.hour);
        if (hour_digits == 0) {
            return std::nullopt;
        }
        pos += hour_digits;
        const bool colon = pos < text.size() && text[pos] == ':';
        if (read_number(text, pos + (colon ? 1 : 0), 2, f.minute) != 2) {
            return std::nullopt;
        }
        pos += colon ? 3 : 2;
        const bool seconds_colon = pos < text.size() && text[pos] == ':';
        if ((seconds_colon || (!colon && pos < text.size() && is_digit(text[pos]))) &&
            read_number(text, pos + (seconds_colon ? 1 : 0), 2, f.second) == 2) {
            pos += seconds_colon ? 3 : 2;
            if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
                ++pos;
                while (pos < text.size() && is_digit(text[pos])) {
                    ++pos;
                }
            }
        }
        while (pos < text.size() && text[pos] == ' ') {
            ++pos;
        }
        if (pos < text.size()) {
            pos = read_numeric_zone(text, pos, f.offset_minutes);
            if (pos == std::string_view::npos) {
                return std::nullopt;
            }
        }
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    return to_instant(f);
}

std::optional<int> month_from_name(std::string_view token)
{
    static constexpr std::array<std::string_view, 12> k_months = {"jan", "feb", "mar", "apr", "may", "jun",
                                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
    if (token.size() < 3) {
        return std::nullopt;
    }
    const std::string name = lower(token);
    for (std::size_t i = 0; i < k_months.size(); ++i) {
        if (name.compare(0, 3, k_months[i]) == 0) {
            // Accept the abbreviation, the full English name, or "Sept".
            static constexpr std::array<std::string_view, 12> k_full = {
                "january", "february", "march",     "april",   "may",      "june",
                "july",    "august",   "september", "october", "november", "december"};
            if (name.size() == 3 || name == k_full[i] || name == "sept") {
                return static_cast<int>(i + 1);
            }
        }
    }
    return std::nullopt;
}

bool is_weekday(std::string_view token)
{
    static constexpr std::array<std::string_view, 7> k_days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    const std::string name = lower(token);
    for (const std::string_view day : k_days) {
        if (name.compare(0, 3, day) == 0) {
            return true;
        }
    }
    return false;
}

// Zone names of RFC 822 §5.1 plus a few common abbreviations; military letters other than
// Z mean "unknown" (RFC 2822 §4.3) and are read as UTC.
std::optional<int> zone_from_name(std::string_view token)
{
    static constexpr std::array<std::pair<std::string_view, int>, 32> k_zones = {{
        {"at", -4 * 60},   {"et", -5 * 60},   {"ct", -6 * 60},  {"mt", -7 * 60},  {"pt", -8 * 60},
        {"etc/gmt", 0},
        {"ut", 0},         {"utc", 0},        {"gmt", 0},       {"z", 0},         {"est", -5 * 60},
        {"edt", -4 * 60},  {"cst", -6 * 60},  {"cdt", -5 * 60}, {"mst", -7 * 60}, {"mdt", -6 * 60},
        {"pst", -8 * 60},  {"pdt", -7 * 60},  {"ast", -4 * 60}, {"adt", -3 * 60}, {"akst", -9 * 60},
        {"akdt", -8 * 60}, {"hst", -10 * 60}, {"bst", 60},      {"cet", 60},      {"cest", 120},
        {"met", 60},       {"mest", 120},     {"eet", 120},     {"eest", 180},    {"jst", 9 * 60},
        {"wet", 0},
    }};
    const std::string name = lower(token);
    for (const auto& [zone, minutes] : k_zones) {
        if (name == zone) {
            return minutes;
        }
    }
    if (name.size() == 1 && name[0] >= 'a' && name[0] <= 'z' && name[0] != 'j') {
        return 0;
    }
    return std::nullopt;
}

// RFC 822 and its relatives, token by token: "[Wkd,] DD Mon YYYY [hh:mm[:ss]] [zone]",
// also "Mon DD YYYY", "DD-Mon-YYYY", two-digit years, "(PDT)" comments and AM/PM.
std::optional<core::Instant> parse_rfc822(std::string_view text)
{
    std::vector<std::string_view> tokens;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char c = text[pos];
        if (c == ' ' || c == ',' || c == '\t' || c == '\r' || c == '\n') {
            ++pos;
            continue;
        }
        if (c == '(') {  // comment, e.g. "(PDT)"
            const std::size_t close = text.find(')', pos);
            pos = close == std::string_view::npos ? text.size() : close + 1;
            continue;
        }
        std::size_t end = pos;
        while (end < text.size() && text[end] != ' ' && text[end] != ',' && text[end] != '\t' && text[end] != '(') {
            ++end;
        }
        tokens.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    // Split "02-Jan-2006" style tokens on '-' when they contain letters.
    std::vector<std::string_view> parts;
    for (const std::string_view token : tokens) {
        bool has_alpha = false;
        for (char c : token) {
            has_alpha = has_alpha || is_alpha(c);
        }
        if (has_alpha && token.find('-', 1) != std::string_view::npos && token.front() != '-' &&
            token.find(':') == std::string_view::npos) {
            std::size_t start = 0;
            while (start <= token.size()) {
                const std::size_t dash = token.find('-', start);
                const std::size_t end = dash == std::string_view::npos ? token.size() : dash;
                if (end > start) {
                    parts.push_back(token.substr(start, end - start));
                }
                start = end + 1;
            }
        } else {
            parts.push_back(token);
        }
    }

    Fields f;
    bool have_time = false, have_zone = false;
    int year_digits = 0;
    for (std::string_view token : parts) {
        if (is_digit(token.front()) && token.find(':') != std::string_view::npos) {
            if (have_time) {
                return std::nullopt;
            }
            std::size_t cursor = read_number(token, 0, 2, f.hour);
            if (cursor == 0 || cursor >= token.size() || token[cursor] != ':' ||
                read_number(token, cursor + 1, 2, f.minute) != 2) {
                return std::nullopt;
            }
            cursor += 3;
            if (cursor < token.size() && token[cursor] == ':') {
                if (read_number(token, cursor + 1, 2, f.second) != 2) {
                    return std::nullopt;
                }
                cursor += 3;
                if (cursor < token.size() && token[cursor] == '.') {
                    ++cursor;
                    while (cursor < token.size() && is_digit(token[cursor])) {
                        ++cursor;
                    }
                }
            }
            have_time = true;
            if (cursor < token.size()) {  // zone glued to the time: "15:04:05Z", "15:04:05-0700"
                const std::size_t end = read_numeric_zone(token, cursor, f.offset_minutes);
                if (end != token.size()) {
                    return std::nullopt;
                }
                have_zone = true;
            }
        } else if ((token.front() == '+' || token.front() == '-') && token.size() > 1 && is_digit(token[1])) {
            if (have_zone || read_numeric_zone(token, 0, f.offset_minutes) != token.size()) {
                return std::nullopt;
            }
            have_zone = true;
        } else if (is_digit(token.front()) && token.size() == 10 && token[4] == '/' && token[7] == '/' &&
                   f.year < 0) {
            // Perforce: "Fri, 2006/09/15 08:19:53 EDT"
            if (read_number(token, 0, 4, f.year) != 4 || read_number(token, 5, 2, f.month) != 2 ||
                read_number(token, 8, 2, f.day) != 2) {
                return std::nullopt;
            }
        } else if (is_digit(token.front())) {
            int value = 0;
            const std::size_t digits = read_number(token, 0, 4, value);
            if (digits != token.size()) {
                return std::nullopt;
            }
            if (digits <= 2 && f.day < 0) {
                f.day = value;
            } else if (f.year < 0 && (digits == 4 || digits == 2)) {
                f.year = value;
                year_digits = static_cast<int>(digits);
            } else {
                return std::nullopt;
            }
        } else if (const auto month = month_from_name(token); month && f.month < 0) {
            f.month = *month;
        } else if (is_weekday(token) && !have_time) {
            continue;
        } else if (const auto zone = zone_from_name(token); zone && !have_zone) {
            f.offset_minutes = *zone;
            have_zone = true;
        } else if (const std::string prefix = lower(token.substr(0, 3));
                   (prefix == "gmt" || prefix == "utc") && token.size() > 3 && !have_zone) {
            // "GMT+02:00", "UTC-0500"
            if (read_numeric_zone(token, 3, f.offset_minutes) != token.size()) {
                return std::nullopt;
            }
            have_zone = true;
        } else {
            const std::string name = lower(token);
            if ((name == "am" || name == "pm") && have_time && f.hour >= 1 && f.hour <= 12) {
                f.hour = (f.hour % 12) + (name == "pm" ? 12 : 0);
            } else {
                return std::nullopt;
            }
        }
    }
    if (year_digits == 2) {
        f.year += f.year < 50 ? 2000 : 1900;  // RFC 2822 §4.3
    }
    if (f.year < 0 || f.month < 0 || f.day < 0) {
        return std::nullopt;
    }
    return to_instant(f);
}

// ISO 8601 truncated two-digit-year forms (ISO 8601:1988 §5.2.1.3, as feedparser reads
// them): YYMMDD, YY-MM-DD, -YYMM, -YY-MM, and the ordinal YYDDD. Years are 20YY.
std::optional<core::Instant> parse_iso8601_short(std::string_view text)
{
    std::string digits;
    bool leading_dash = !text.empty() && text.front() == '-';
    for (std::size_t i = leading_dash ? 1 : 0; i < text.size(); ++i) {
        if (is_digit(text[i])) {
            digits.push_back(text[i]);
        } else if (text[i] != '-') {
            return std::nullopt;
        }
    }
    const auto number = [&](std::size_t pos, std::size_t count) { return std::stoi(digits.substr(pos, count)); };
    Fields f;
    f.day = 1;
    if (leading_dash && digits.size() == 4) {
        f.year = 2000 + number(0, 2);
        f.month = number(2, 2);
    } else if (!leading_dash && digits.size() == 6) {
        f.year = 2000 + number(0, 2);
        f.month = number(2, 2);
        f.day = number(4, 2);
    } else if (!leading_dash && digits.size() == 5 && text.find('-') == std::string_view::npos) {
        const int year = 2000 + number(0, 2);
        const int ordinal = number(2, 3);
        const std::chrono::year_month_day start{std::chrono::year{year}, std::chrono::January, std::chrono::day{1}};
        const auto date = std::chrono::year_month_day{std::chrono::sys_days{start} + std::chrono::days{ordinal - 1}};
        // Ordinals below 100 are refused: "22013" is a mistyped five-digit year as often as
        // day 13 of 2022 (feedparser's W3C-DTF vectors reject it).
        if (ordinal < 100 || ordinal > (std::chrono::year{year}.is_leap() ? 366 : 365)) {
            return std::nullopt;
        }
        f.year = static_cast<int>(date.year());
        f.month = static_cast<int>(static_cast<unsigned>(date.month()));
        f.day = static_cast<int>(static_cast<unsigned>(date.day()));
    } else {
        return std::nullopt;
    }
    return to_instant(f);
}

// Rewrites dates written with Greek or Hungarian month and day names, Korean markers
// (년 월 일, 오전/오후: the "nate" and "OnBlog" formats, Korean time, UTC+9), and a
// three-digit ISO month ("2003-012-31") into forms the parsers above read. Returns "" when
// nothing applies.
std::string localized_to_english(std::string_view text)
{
    struct Replacement {
        std::string_view from;
        std::string_view to;
    };
    static constexpr Replacement k_words[] = {
        // Greek (feedparser _greek_months/_greek_wdays)
        {"Ιαν", "Jan"}, {"Φεβ", "Feb"}, {"Μάώ", "Mar"}, {"Μαώ", "Mar"}, {"Μάρ", "Mar"}, {"Μαρ", "Mar"},
        {"Απρ", "Apr"}, {"Μάι", "May"}, {"Μαϊ", "May"}, {"Μαι", "May"}, {"Ιούν", "Jun"}, {"Ιον", "Jun"},
        {"Ιούλ", "Jul"}, {"Ιολ", "Jul"}, {"Αύγ", "Aug"}, {"Αυγ", "Aug"}, {"Σεπ", "Sep"}, {"Οκτ", "Oct"},
        {"Νοέ", "Nov"}, {"Νοε", "Nov"}, {"Δεκ", "Dec"}, {"Κυρ", "Sun"}, {"Δευ", "Mon"}, {"Τρι", "Tue"},
        {"Τετ", "Wed"}, {"Πεμ", "Thu"}, {"Παρ", "Fri"}, {"Σαβ", "Sat"},
        // Hungarian (feedparser _hungarian_months), as ISO month numbers
        {"január", "01"}, {"február", "02"}, {"március", "03"}, {"április", "04"}, {"május", "05"},
        {"június", "06"}, {"július", "07"}, {"augusztus", "08"}, {"szeptember", "09"}, {"október", "10"},
        {"november", "11"}, {"december", "12"},
    };
    std::string out(text);
    bool changed = false;
    for (const auto& [from, to] : k_words) {
        for (std::size_t pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos + to.size())) {
            out.replace(pos, from.size(), to);
            changed = true;
        }
    }
    if (changed) {
        // Hungarian "2004-07-13T9:15-05:00": pad the one-digit hour ISO wants.
        const std::size_t t = out.find('T');
        if (t != std::string::npos && t + 2 < out.size() && is_digit(out[t + 1]) && out[t + 2] == ':') {
            out.insert(t + 1, "0");
        }
        return out;
    }
    // Korean: "2004년 05월 28일  01:31:15" and "2004-05-25 오후 11:23:17", Korea Standard Time.
    constexpr std::string_view k_year = "년", k_month = "월", k_day = "일", k_am = "오전", k_pm = "오후";
    const bool onblog = out.find(k_year) != std::string::npos && out.find(k_month) != std::string::npos;
    const bool nate = out.find(k_am) != std::string::npos || out.find(k_pm) != std::string::npos;
    if (onblog || nate) {
        std::string digits_only;
        std::vector<int> numbers;
        int current = -1;
        for (const char c : out) {
            if (is_digit(c)) {
                current = (current < 0 ? 0 : current * 10) + (c - '0');
                if (current > 9999) {
                    return {};
                }
            } else if (current >= 0) {
                numbers.push_back(current);
                current = -1;
            }
        }
        if (current >= 0) {
            numbers.push_back(current);
        }
        if (numbers.size() != 6) {
            return {};
        }
        int hour = numbers[3];
        if (nate && out.find(k_pm) != std::string::npos && hour < 12) {
            hour += 12;
        } else if (nate && hour == 12) {
            hour = 0;
        }
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d+09:00", numbers[0], numbers[1],
                      numbers[2], hour, numbers[4], numbers[5]);
        (void)k_day;
        return buffer;
    }
    // "2003-012-31T...": a zero-padded three-digit month.
    if (out.size() > 8 && out[4] == '-' && out[5] == '0' && is_digit(out[6]) && is_digit(out[7]) && out[8] == '-') {
        out.erase(5, 1);
        return out;
    }
    return {};
}

std::optional<core::Instant> parse_known_forms(std::string_view text)
{
    if (text.size() >= 4 && is_digit(text[0]) && is_digit(text[1]) && is_digit(text[2]) && is_digit(text[3])) {
        if (auto instant = parse_iso8601(text)) {
            return instant;
        }
    }
    return parse_rfc822(text);
}

}  // namespace

std::optional<core::Instant> parse_date(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    if (text.empty() || text.size() > 128) {
        return std::nullopt;
    }
    if (auto instant = parse_known_forms(text)) {
        return instant;
    }
    if (text.size() <= 8) {
        if (auto instant = parse_iso8601_short(text)) {
            return instant;
        }
    }
    if (const std::string english = localized_to_english(text); !english.empty()) {
        return parse_known_forms(english);
    }
    return std::nullopt;
}

}  // namespace feedwatch::parse
