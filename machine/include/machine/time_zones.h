#pragma once
// Time zone names for `init --timezone`, checked the same on every host, with or without tzdata.
#include <string_view>

namespace machine {

// True for an IANA time zone name (Europe/Berlin, UTC, US/Eastern...) that Debian's tzdata knows
// (time_zones.inc, made by update-time-zones), whatever the host's own zoneinfo holds.
bool is_time_zone(std::string_view name);

} // namespace machine
