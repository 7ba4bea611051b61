// Times and sizes for people, as podman prints them through go-units.
#include "output/humanize.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

using machine::cli::bytes_size;
using machine::cli::rfc3339;
using machine::cli::time_ago;

namespace {

constexpr std::int64_t now = 1764000000;
constexpr std::int64_t minute = 60, hour = 3600, day = 86400;

std::string ago(std::int64_t seconds) {
    return time_ago(now - seconds, now);
}

constexpr std::uint64_t KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;

// Sets $TZ for one test and puts the old value back.
class ScopedTz {
public:
    explicit ScopedTz(const char *tz) {
        if (const char *old = std::getenv("TZ"))
            old_ = old;
        ::setenv("TZ", tz, 1);
        ::tzset();
    }
    ~ScopedTz() {
        if (old_)
            ::setenv("TZ", old_->c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }

private:
    std::optional<std::string> old_;
};

} // namespace

TEST_CASE("time_ago under a minute counts seconds", "[humanize]") {
    CHECK(ago(0) == "Less than a second ago");
    CHECK(ago(-5) == "Less than a second ago"); // a clock that went backwards
    CHECK(ago(1) == "1 second ago");
    CHECK(ago(2) == "2 seconds ago");
    CHECK(ago(59) == "59 seconds ago");
}

TEST_CASE("time_ago under an hour counts minutes", "[humanize]") {
    CHECK(ago(minute) == "About a minute ago");
    CHECK(ago(2 * minute - 1) == "About a minute ago");
    CHECK(ago(2 * minute) == "2 minutes ago");
    CHECK(ago(59 * minute + 59) == "59 minutes ago");
}

TEST_CASE("time_ago counts hours, days, weeks, months and years", "[humanize]") {
    CHECK(ago(hour) == "About an hour ago");
    CHECK(ago(2 * hour) == "2 hours ago");
    CHECK(ago(47 * hour) == "47 hours ago");
    CHECK(ago(48 * hour) == "2 days ago");
    CHECK(ago(13 * day) == "13 days ago");
    CHECK(ago(14 * day) == "2 weeks ago");
    CHECK(ago(59 * day) == "8 weeks ago");
    CHECK(ago(60 * day) == "2 months ago");
    CHECK(ago(729 * day) == "24 months ago");
    CHECK(ago(730 * day) == "2 years ago");
    CHECK(ago(56 * 365 * day) == "56 years ago");
}

TEST_CASE("time_ago rounds hours to the nearest as go-units does", "[humanize]") {
    // go-units: hours := int(d.Hours() + 0.5). 90 minutes is "2 hours" in podman.
    CHECK(ago(90 * minute) == "2 hours ago");
    CHECK(ago(2 * hour - 1) == "2 hours ago");
    CHECK(ago(2 * hour + 30 * minute) == "3 hours ago");
    CHECK(ago(47 * hour + 30 * minute) == "2 days ago");
}

TEST_CASE("bytes_size uses binary units with up to 4 significant digits", "[humanize]") {
    CHECK(bytes_size(0) == "0B");
    CHECK(bytes_size(1) == "1B");
    CHECK(bytes_size(1023) == "1023B");
    CHECK(bytes_size(KiB) == "1KiB");
    CHECK(bytes_size(1536) == "1.5KiB");
    CHECK(bytes_size(512 * MiB) == "512MiB");
    CHECK(bytes_size(1000 * MiB) == "1000MiB");
    CHECK(bytes_size(2 * GiB) == "2GiB");
    CHECK(bytes_size(3 * GiB / 2) == "1.5GiB");
    CHECK(bytes_size(20 * GiB) == "20GiB");
    CHECK(bytes_size(1234567890) == "1.15GiB");
    CHECK(bytes_size(TiB) == "1TiB");
    CHECK(bytes_size(64 * TiB) == "64TiB");
    CHECK(bytes_size(1024 * TiB) == "1PiB");
    CHECK(bytes_size(UINT64_MAX) == "16EiB");
}

TEST_CASE("rfc3339 prints local time with its offset, Z for UTC", "[humanize]") {
    {
        ScopedTz tz("UTC");
        CHECK(rfc3339(0) == "1970-01-01T00:00:00Z");
        CHECK(rfc3339(now) == "2025-11-24T16:00:00Z");
    }
    {
        ScopedTz tz("XXX-1");
        CHECK(rfc3339(0) == "1970-01-01T01:00:00+01:00");
    }
    {
        ScopedTz tz("IST-5:30");
        CHECK(rfc3339(0) == "1970-01-01T05:30:00+05:30");
    }
    {
        ScopedTz tz("EST5");
        CHECK(rfc3339(0) == "1969-12-31T19:00:00-05:00");
    }
}
