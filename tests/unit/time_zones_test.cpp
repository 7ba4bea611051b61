// `init --timezone` is checked against a list that is there on every host, tzdata or not.
#include "machine/time_zones.h"

#include <catch2/catch.hpp>

using machine::is_time_zone;

TEST_CASE("IANA zones and their old names are time zones", "[timezone]") {
    for (auto name : {"UTC", "Etc/UTC", "Europe/Berlin", "Asia/Tokyo", "America/Argentina/Salta",
                      "US/Eastern", "Asia/Calcutta", "Europe/Kyiv", "EST5EDT"})
        CHECK(is_time_zone(name));
}

TEST_CASE("anything else is not, whatever the host's zoneinfo holds", "[timezone]") {
    for (auto name : {"", "Mars/Olympus", "utc", "Europe", "Europe/", "/UTC", "../../etc/passwd",
                      "Europe/../UTC", "Europe/Berlin ", "posixrules", "zone.tab", "tzdata.zi"})
        CHECK_FALSE(is_time_zone(name));
}
