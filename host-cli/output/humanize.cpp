#include "output/humanize.h"

#include "platform/local_time.h"

#include <ctime>
#include <fmt/format.h>

namespace machine::cli {

namespace {

std::string plural(std::int64_t n, const char *unit) {
    return fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
}

std::string human_duration(std::int64_t seconds) {
    constexpr std::int64_t minute = 60, hour = 60 * minute, day = 24 * hour;
    if (seconds < 1)
        return "Less than a second";
    if (seconds < minute)
        return plural(seconds, "second");
    if (seconds < 2 * minute)
        return "About a minute";
    if (seconds < hour)
        return plural(seconds / minute, "minute");
    // Like go-units, everything from hours to months counts in rounded hours.
    std::int64_t hours = (seconds + hour / 2) / hour;
    if (hours == 1)
        return "About an hour";
    if (hours < 48)
        return plural(hours, "hour");
    if (hours < 24 * 7 * 2)
        return plural(hours / 24, "day");
    if (hours < 24 * 30 * 2)
        return plural(hours / 24 / 7, "week");
    if (hours < 24 * 365 * 2)
        return plural(hours / 24 / 30, "month");
    return plural(seconds / (365 * day), "year");
}

} // namespace

std::string time_ago(std::int64_t then, std::int64_t now) {
    return human_duration(now - then) + " ago";
}

std::string bytes_size(std::uint64_t bytes) {
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 6) {
        value /= 1024;
        ++unit;
    }
    return fmt::format("{:.4g}{}", value, units[unit]);
}

std::string rfc3339(std::int64_t unix_seconds) {
    auto local = platform::local_time(unix_seconds);
    char buffer[40];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &local.calendar);
    long offset = local.utc_offset_seconds / 60;
    if (offset == 0)
        return std::string(buffer) + "Z";
    return fmt::format("{}{}{:02}:{:02}", buffer, offset < 0 ? '-' : '+', std::labs(offset) / 60,
                       std::labs(offset) % 60);
}

} // namespace machine::cli
