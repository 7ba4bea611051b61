// Two processes running `init` of one name at once: exactly one succeeds.
#include "cli_runner.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

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

TEST_CASE("an rm that prunes the image cache while an init has just filled it: the init makes "
          "its machine all the same",
          "[cli][lock]") {
    CliSandbox sandbox;
    auto cache = sandbox.data_dir() / "images" / "cache";
    auto cached_disk = [&] {
        std::error_code ec;
        for (const auto &entry : std::filesystem::directory_iterator(cache, ec))
            if (entry.path().extension() == ".qcow2")
                return true;
        return false;
    };
    // A machine to remove, and no cache: the init below fills it before it can hold it.
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "old"}).exit_code == 0);
    std::filesystem::remove_all(cache);
    auto init = std::async(std::launch::async, [&] {
        return sandbox.run(
            {"init", "--image", sandbox.image(), "new"},
            {{"MACHINE_TEST_SLEEP_AT", "init:resolved"}, {"MACHINE_TEST_SLEEP_MS", "3000"}});
    });
    for (int i = 0; i < 100 && !cached_disk(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(cached_disk());
    REQUIRE(sandbox.run({"rm", "-f", "old"}).exit_code == 0);
    CHECK_FALSE(cached_disk()); // the prune took what the sleeping init had resolved
    auto made = init.get();
    INFO(made.err);
    CHECK(made.exit_code == 0);
    CHECK(cached_disk()); // resolved again, under the hold
    CHECK(sandbox.run({"inspect", "new"}).exit_code == 0);
}
