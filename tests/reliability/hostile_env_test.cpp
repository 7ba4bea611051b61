// A hostile environment: runtime folders planted as symlinks or owned by someone else are refused,
// not followed, with one clear line and nothing created, here or where the symlink points.
#include "../integration/cli_runner.h"
#include "tally.h"

#include <catch2/catch.hpp>
#include <unistd.h>

using machine::test::CliSandbox;
namespace fs = std::filesystem;

namespace {

bool is_empty_dir(const fs::path &dir) {
    return fs::is_directory(dir) && fs::is_empty(dir);
}

} // namespace

TEST_CASE("a runtime folder planted as a symlink is refused", "[reliability][hostile]") {
    machine::test::Tally tally(machine::test::bad_inputs,
                               "a runtime folder planted as a symlink is refused");
    CliSandbox sandbox;
    auto elsewhere = sandbox.root() / "elsewhere";
    fs::create_directories(elsewhere);
    fs::create_directories(sandbox.root() / "run");
    fs::create_directory_symlink(elsewhere, sandbox.root() / "run" / "machine");
    auto before = sandbox.snapshot();
    auto init = sandbox.run({"init", "--image", sandbox.image(), "m"});
    CHECK(init.exit_code == 125);
    CHECK(machine::test::is_one_error_line(init.err));
    CHECK(init.err.find("run/machine is not a folder (a symlink?)") != std::string::npos);
    CHECK(sandbox.snapshot() == before);
    CHECK(is_empty_dir(elsewhere));
}

TEST_CASE("a runtime folder owned by another user is refused", "[reliability][hostile]") {
    machine::test::Tally tally(machine::test::bad_inputs,
                               "a runtime folder owned by another user is refused");
    CliSandbox sandbox;
    auto runtime = sandbox.root() / "run" / "machine";
    fs::create_directories(runtime);
    REQUIRE(::chown(runtime.c_str(), 65534, 65534) == 0); // nobody (the tests run as root)
    auto init = sandbox.run({"init", "--image", sandbox.image(), "m"});
    CHECK(init.exit_code == 125);
    CHECK(init.err.find("is owned by another user") != std::string::npos);
    CHECK_FALSE(fs::exists(sandbox.config_dir() / "machines" / "m.yaml"));
    CHECK(is_empty_dir(runtime));
}

TEST_CASE("a machine's runtime folder planted as a symlink stops start before QEMU",
          "[reliability][hostile]") {
    machine::test::Tally tally(
        machine::test::bad_inputs,
        "a machine's runtime folder planted as a symlink stops start before QEMU");
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "m"}).exit_code == 0);
    auto elsewhere = sandbox.root() / "elsewhere";
    fs::create_directories(elsewhere);
    fs::create_directory_symlink(elsewhere, sandbox.root() / "run" / "machine" / "m");
    auto start = sandbox.run({"start", "m"});
    CHECK(start.exit_code == 125);
    CHECK(machine::test::is_one_error_line(start.err));
    CHECK(start.err.find("(a symlink?)") != std::string::npos);
    CHECK(is_empty_dir(elsewhere)); // no socket, pid file or log went there
    CHECK(sandbox.run({"inspect", "--format", "{{.State}}", "m"}).out == "stopped\n");
}
