// --idle-pause: Go's duration spellings in whole seconds, the bounds, and one-line refusals.
#include "machine/durations.h"
#include "machine/errors.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <string>

using namespace machine;
using machine::test::one_line;
using machine::test::thrown;
using std::chrono::seconds;

TEST_CASE("idle pause: h, m and s parts in order, 0 turns it off", "[durations]") {
    CHECK(parse_idle_pause("0") == seconds(0));
    CHECK(parse_idle_pause("0s") == seconds(0));
    CHECK(parse_idle_pause("10s") == seconds(10));
    CHECK(parse_idle_pause("90s") == seconds(90));
    CHECK(parse_idle_pause("5m") == seconds(300));
    CHECK(parse_idle_pause("1h30m") == seconds(5400));
    CHECK(parse_idle_pause("1h0m5s") == seconds(3605));
    CHECK(parse_idle_pause("24h") == seconds(86400));
    CHECK(parse_idle_pause("1439m60s") == seconds(86400));
}

TEST_CASE("idle pause: what is not a duration from 10s to 24h is refused naming the flag",
          "[durations]") {
    auto text =
        GENERATE(as<std::string>{}, "", "5", "300", "5 m", "m", "5x", "1m1h", "1s1s", "-5m", "+5m",
                 "1.5h", "9s", "1s", "24h1s", "25h", "99999999999999999999s", "5m\n", "5m\x1b[2J");
    CAPTURE(text);
    auto error = thrown<InvalidInput>([&] { parse_idle_pause(text); });
    CHECK(error.field() == "--idle-pause");
    CHECK_THAT(error.what(), Catch::Contains("--idle-pause") && Catch::Contains("10s to 24h"));
    CHECK(one_line(error.what()));
}

TEST_CASE("durations print as Go prints them", "[durations]") {
    CHECK(format_duration(seconds(0)) == "0s");
    CHECK(format_duration(seconds(45)) == "45s");
    CHECK(format_duration(seconds(300)) == "5m0s");
    CHECK(format_duration(seconds(5400)) == "1h30m0s");
    CHECK(format_duration(seconds(86400)) == "24h0m0s");
    CHECK(format_duration(seconds(parse_idle_pause("1h2m3s"))) == "1h2m3s");
}
