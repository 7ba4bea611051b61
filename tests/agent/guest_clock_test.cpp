// The step the agent takes to follow the host's clock: none within the tolerance, the whole gap
// otherwise, either way.
#include "provisioning/agent/guest_clock.h"

#include <catch2/catch.hpp>

using namespace machine::agent;
using namespace std::chrono_literals;

TEST_CASE("the guest clock steps to the host's only beyond the tolerance", "[clock]") {
    constexpr std::int64_t now = 1'764'800'000'000'000'000;
    CHECK_FALSE(clock_step(now, now));
    CHECK_FALSE(clock_step(now, now + 49'000'000));
    CHECK_FALSE(clock_step(now, now - 49'000'000));
    CHECK(clock_step(now, now + 120'000'000'000) == 120s); // two minutes paused: behind
    CHECK(clock_step(now, now - 3'000'000'000) == -3s);    // ahead
}
