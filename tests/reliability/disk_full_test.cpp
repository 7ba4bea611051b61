// A full disk under the store: the machine data folder on a small tmpfs, filled up. `init` fails
// with one clear line and exit 125, leaves nothing behind, and the machine made before is
// untouched; `set` on a full disk changes nothing. (Needs root for the mount, as CI runs.)
#include "../integration/cli_runner.h"
#include "tally.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/mount.h>

using machine::test::CliSandbox;

namespace {

// A size-limited tmpfs at `dir` for the test's lifetime.
struct SmallFilesystem {
    std::filesystem::path dir;
    explicit SmallFilesystem(std::filesystem::path where) : dir(std::move(where)) {
        std::filesystem::create_directories(dir);
        REQUIRE(::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=8m,mode=0700") == 0);
    }
    ~SmallFilesystem() { ::umount2(dir.c_str(), MNT_DETACH); }

    void fill() const {
        std::ofstream filler(dir / "filler", std::ios::binary);
        std::string block(1 << 16, '\0');
        while (filler.write(block.data(), std::streamsize(block.size())))
            filler.flush();
    }
};

} // namespace

TEST_CASE("init on a full disk fails cleanly and leaves the other machines alone",
          "[reliability][disk-full]") {
    machine::test::Tally tally(machine::test::faults, "init on a full disk");
    CliSandbox sandbox;
    SmallFilesystem data(sandbox.root() / "data");
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "first"}).exit_code == 0);
    data.fill();

    auto before = sandbox.snapshot();
    auto full = sandbox.run({"init", "--image", sandbox.image(), "second"});
    INFO(full.err);
    CHECK(full.exit_code == 125);
    CHECK(machine::test::is_one_error_line(full.err));
    CHECK(full.err.find("No space left on device") != std::string::npos);
    CHECK(sandbox.snapshot() == before);

    auto listed = nlohmann::json::parse(sandbox.run({"list", "--format", "json"}).out);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["Name"] == "first");
    CHECK(listed[0].value("Problem", std::string()).empty());
    CHECK(sandbox.run({"inspect", "first"}).exit_code == 0);

    // and with room again, the same init goes through
    std::filesystem::remove(data.dir / "filler");
    CHECK(sandbox.run({"init", "--image", sandbox.image(), "second"}).exit_code == 0);
}

TEST_CASE("set on a full disk keeps the old config whole", "[reliability][disk-full]") {
    machine::test::Tally tally(machine::test::faults, "set on a full disk");
    CliSandbox sandbox;
    SmallFilesystem config(sandbox.root() / "config");
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "--cpus", "1", "m"}).exit_code == 0);
    config.fill();

    auto full = sandbox.run({"set", "m", "--cpus", "2"});
    INFO(full.err);
    CHECK(full.exit_code == 125);
    CHECK(machine::test::is_one_error_line(full.err));
    CHECK(full.err.find("No space left on device") != std::string::npos);
    CHECK(sandbox.run({"inspect", "--format", "{{.Resources.CPUs}}", "m"}).out == "1\n");

    std::filesystem::remove(config.dir / "filler");
    CHECK(sandbox.run({"set", "m", "--cpus", "2"}).exit_code == 0);
    CHECK(sandbox.run({"inspect", "--format", "{{.Resources.CPUs}}", "m"}).out == "2\n");
}
