#pragma once
// The local calendar time of a moment and its offset from UTC, which the C library gives each
// system its own way.
#include <cstdint>
#include <ctime>

namespace machine::platform {

struct LocalTime {
    std::tm calendar{};
    long utc_offset_seconds = 0; // east of Greenwich is positive
};

LocalTime local_time(std::int64_t unix_seconds);

} // namespace machine::platform
