#include "machine/durations.h"

#include "machine/errors.h"
#include "machine/printable.h"

#include <cctype>
#include <fmt/format.h>

namespace machine {

namespace {

[[noreturn]] void refuse(std::string_view text, std::string_view problem) {
    throw InvalidInput("--idle-pause",
                       fmt::format("--idle-pause: \"{}\" {}; use 0 (off) or from 10s to 24h, "
                                   "e.g. 90s, 5m, 1h30m",
                                   printable(text), problem));
}

} // namespace

std::chrono::seconds parse_idle_pause(std::string_view text) {
    if (text == "0")
        return std::chrono::seconds(0);
    if (text.empty())
        refuse(text, "is empty");
    // Parts of a number and a unit, each unit at most once and in the order h, m, s.
    long long total = 0;
    std::string_view units = "hms";
    std::size_t next_unit = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        long long number = 0;
        std::size_t digits = 0;
        for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
            number = number * 10 + (text[i] - '0');
            if (number > max_idle_pause.count())
                refuse(text, "is longer than 24h");
            ++digits;
        }
        if (digits == 0 || i == text.size())
            refuse(text, "is not a duration");
        auto unit = units.find(text[i], next_unit);
        if (unit == std::string_view::npos)
            refuse(text, "is not a duration");
        next_unit = unit + 1;
        total += number * (unit == 0 ? 3600 : unit == 1 ? 60 : 1);
        if (total > max_idle_pause.count())
            refuse(text, "is longer than 24h");
        ++i;
    }
    if (total > 0 && total < min_idle_pause.count())
        refuse(text, "is shorter than 10s");
    return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds duration) {
    auto s = duration.count();
    if (s == 0)
        return "0s";
    std::string text;
    if (s >= 3600)
        text += fmt::format("{}h", s / 3600);
    if (s >= 60)
        text += fmt::format("{}m", s / 60 % 60);
    text += fmt::format("{}s", s % 60);
    return text;
}

} // namespace machine
