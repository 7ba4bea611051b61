// `init` and `rm` SIGKILLed at each of their steps leave nothing that lists as usable: either
// nothing, or a machine `list` marks as broken and `rm` removes; a disk made is intact. (`rm` of a
// running machine killed once it stopped it: the reliability suite's real-VM matrix.)
#include "../reliability/tally.h"
#include "cli_runner.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using machine::test::CliSandbox;

TEST_CASE("init killed at every step", "[cli][kill]") {
    auto step = GENERATE(as<std::string>{}, "init:locked", "init:data-dir", "init:disk",
                         "init:provisioning", "init:config");
    INFO("killed at " << step);
    machine::test::Tally tally(machine::test::faults, "init killed at " + step);
    CliSandbox sandbox;
    auto killed = sandbox.run({"init", "--image", sandbox.image(), "victim"},
                              {{"MACHINE_TEST_KILL_AT", step}});
    REQUIRE(killed.exit_code == 128 + 9);

    auto rows = nlohmann::json::parse(sandbox.run({"list", "--format", "json"}).out);
    REQUIRE(rows.size() <= 1);
    bool complete = step == "init:config"; // the config is written last
    if (complete) {
        REQUIRE(rows.size() == 1);
        CHECK(rows[0]["Name"] == "victim");
        CHECK_FALSE(rows[0].contains("Problem"));
        auto disk = sandbox.data_dir() / "machines" / "victim" / "disk.qcow2";
        CHECK(std::system(("qemu-img check -q " + disk.string()).c_str()) == 0);
    } else if (rows.size() == 1) {
        CHECK(rows[0]["Name"] == "victim");
        CHECK(rows[0].contains("Problem"));
        CHECK(sandbox.run({"inspect", "victim"}).exit_code == 125);
    }
    if (!rows.empty())
        CHECK(sandbox.run({"rm", "-f", "victim"}).exit_code == 0);
    CHECK(sandbox.run({"list", "--quiet"}).out.empty());
    CHECK_FALSE(std::filesystem::exists(sandbox.data_dir() / "machines" / "victim"));

    // The lock died with the process: the name is free again.
    CHECK(sandbox.run({"init", "--image", sandbox.image(), "victim"}).exit_code == 0);
}

TEST_CASE("rm killed at every step", "[cli][kill]") {
    auto step = GENERATE(as<std::string>{}, "rm:config", "rm:connections");
    INFO("killed at " << step);
    machine::test::Tally tally(machine::test::faults, "rm killed at " + step);
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "victim"}).exit_code == 0);
    auto killed = sandbox.run({"rm", "-f", "victim"}, {{"MACHINE_TEST_KILL_AT", step}});
    REQUIRE(killed.exit_code == 128 + 9);
    auto listed = sandbox.run({"list", "--format", "{{.Name}} {{.LastUp}}"});
    CHECK(listed.out == "victim Broken\n"); // not usable, and still there to remove
    CHECK(sandbox.run({"rm", "-f", "victim"}).exit_code == 0);
    CHECK(sandbox.run({"list", "--quiet"}).out.empty());
    CHECK_FALSE(std::filesystem::exists(sandbox.data_dir() / "machines" / "victim"));
}

TEST_CASE("rm removes the cached image with the last machine on it, and one killed before that "
          "leaves it to the next rm",
          "[cli][kill]") {
    machine::test::Tally tally(machine::test::faults, "rm killed at rm:data");
    CliSandbox sandbox;
    auto cache = sandbox.data_dir() / "images" / "cache";
    auto cached_images = [&] {
        int n = 0;
        for (const auto &entry : std::filesystem::directory_iterator(cache))
            n += entry.path().filename().string().rfind("sha256-", 0) == 0;
        return n;
    };
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "a"}).exit_code == 0);
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "b"}).exit_code == 0);
    REQUIRE(cached_images() == 1);

    // The confirmation (unanswered here: nothing is removed) lists the image only with its last
    // machine.
    CHECK(sandbox.run({"rm", "a"}).out.find(cache.string()) == std::string::npos);
    CHECK(sandbox.run({"rm", "-f", "a"}).exit_code == 0);
    CHECK(cached_images() == 1);
    CHECK(sandbox.run({"rm", "b"}).out.find((cache / "sha256-").string()) != std::string::npos);
    CHECK(cached_images() == 1);

    auto killed = sandbox.run({"rm", "-f", "b"}, {{"MACHINE_TEST_KILL_AT", "rm:data"}});
    REQUIRE(killed.exit_code == 128 + 9);
    CHECK(sandbox.run({"list", "--quiet"}).out.empty());
    CHECK(cached_images() == 1);
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "c"}).exit_code == 0);
    CHECK(sandbox.run({"rm", "-f", "c"}).exit_code == 0);
    CHECK(cached_images() == 0);
}
