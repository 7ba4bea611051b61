// Two processes running `init` of one name at once: exactly one succeeds.
#include "cli_runner.h"

#include <catch2/catch.hpp>
#include <future>

using machine::test::CliSandbox;

TEST_CASE("two concurrent inits of one name: exactly one wins", "[cli][lock]") {
    CliSandbox sandbox;
    for (int round = 0; round < 8; ++round) {
        auto name = "race" + std::to_string(round);
        auto init = [&] { return sandbox.run({"init", "--image", sandbox.image(), name}); };
        auto first = std::async(std::launch::async, init);
        auto second = std::async(std::launch::async, init);
        auto a = first.get(), b = second.get();
        INFO("round " << round << ": " << a.err << " / " << b.err);
        CHECK(((a.exit_code == 0) != (b.exit_code == 0)));
        CHECK(a.exit_code + b.exit_code == 125);
        auto &loser = a.exit_code == 0 ? b : a;
        CHECK(loser.err.find("already exists") != std::string::npos);
    }
    auto listed = sandbox.run({"list", "--quiet"});
    CHECK(listed.out == "race0\nrace1\nrace2\nrace3\nrace4\nrace5\nrace6\nrace7\n");
    CHECK(listed.err.empty());
}

TEST_CASE("a mutating verb waits for the lock another process holds", "[cli][lock]") {
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "busy"}).exit_code == 0);
    // While init of "busy2" is paused holding its lock, a second init of it must not finish first:
    // it blocks, then sees the machine exists.
    auto slow = std::async(std::launch::async, [&] {
        return sandbox.run({"init", "--image", sandbox.image(), "busy2"},
                           {{"MACHINE_TEST_SLEEP_AT", "init:locked"}});
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto fast = sandbox.run({"init", "--image", sandbox.image(), "busy2"});
    CHECK(slow.get().exit_code == 0);
    CHECK(fast.exit_code == 125);
    CHECK(fast.err.find("already exists") != std::string::npos);
}
