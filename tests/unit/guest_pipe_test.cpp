// The POSIX half of platform/guest_pipe.h: there are no named pipes to connect to, and it says so
// at once rather than waiting out the deadline. (The Windows half: tests/windows.)
#include "machine/errors.h"
#include "platform/guest_pipe.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <chrono>

using namespace machine;

TEST_CASE("on POSIX connecting to a named pipe is refused at once, naming the pipe") {
    auto start = platform::Clock::now();
    auto error = test::thrown<HostNotReady>([&] {
        platform::connect_pipe("machine-dev+f45dfd01ca807abc-ready", 1,
                               start + std::chrono::seconds(30));
    });
    CHECK(platform::Clock::now() - start < std::chrono::seconds(5));
    CHECK_THAT(error.what(),
               Catch::Contains("machine-dev+f45dfd01ca807abc-ready") && Catch::Contains("Windows"));
    CHECK(test::one_line(error.what()));
    CHECK_FALSE(error.hint().empty());
}
