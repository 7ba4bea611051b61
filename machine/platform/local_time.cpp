#include "platform/local_time.h"

namespace machine::platform {

LocalTime local_time(std::int64_t unix_seconds) {
    std::time_t time = unix_seconds;
    LocalTime local;
#ifdef _WIN32
    // No tm_gmtoff: the offset is the local calendar read back as if it were UTC, minus the moment.
    ::localtime_s(&local.calendar, &time);
    std::tm as_utc = local.calendar;
    local.utc_offset_seconds = long(::_mkgmtime(&as_utc) - time);
#else
    ::localtime_r(&time, &local.calendar);
    local.utc_offset_seconds = local.calendar.tm_gmtoff;
#endif
    return local;
}

} // namespace machine::platform
