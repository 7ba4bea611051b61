// Every bad input named in the foundation issue: one line on stderr, exit 125, nothing created
// or changed in the store.
#include "../reliability/tally.h"
#include "cli_runner.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using machine::test::CliSandbox;
using machine::test::is_one_error_line;

namespace {

void expect_rejected(const CliSandbox &sandbox, const std::vector<std::string> &args) {
    auto shown = Catch::StringMaker<std::vector<std::string>>::convert(args);
    machine::test::Tally tally(machine::test::bad_inputs, shown);
    auto before = sandbox.snapshot();
    auto result = sandbox.run(args);
    INFO("args: " << shown);
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 125);
    CHECK(is_one_error_line(result.err));
    CHECK(sandbox.snapshot() == before);
}

} // namespace

TEST_CASE("init rejects bad names", "[cli][bad-input]") {
    CliSandbox sandbox;
    for (std::string name :
         std::vector<std::string>{"", "-dash", ".dot", "a/b", "a..b", "has space", "tab\there",
                                  "new\nline", "bell\x07", std::string(65, 'a')})
        expect_rejected(sandbox, {"init", "--image", sandbox.image(), "--", name});
    CHECK(sandbox.run({"init", "--image", sandbox.image(), std::string(64, 'a')}).exit_code == 0);
}

TEST_CASE("init rejects bad resources", "[cli][bad-input]") {
    CliSandbox sandbox;
    auto image = sandbox.image();
    for (std::string cpus : {"0", "-1", "100000", "two", ""})
        expect_rejected(sandbox, {"init", "--image", image, "--cpus=" + cpus});
    for (std::string memory :
         std::vector<std::string>{"0", "511", "100M", "lots", "99999999999999999999", "1.5G",
                                  "18446744073709551615G", "-2048"})
        expect_rejected(sandbox, {"init", "--image", image, "--memory=" + memory});
    for (std::string disk : {"0", "abc", "99999999999999999999", "-5"})
        expect_rejected(sandbox, {"init", "--image", image, "--disk-size=" + disk});
}

TEST_CASE("init rejects a disk smaller than the image", "[cli][bad-input]") {
    CliSandbox sandbox;
    auto big = (sandbox.root() / "big.qcow2").string();
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "probe"}).exit_code == 0);
    REQUIRE(sandbox.run({"rm", "-f", "probe"}).exit_code == 0);
    std::system(("qemu-img create -q -f qcow2 " + big + " 3G").c_str());
    expect_rejected(sandbox, {"init", "--image", big, "--disk-size", "2"});
    CHECK(sandbox.run({"init", "--image", big, "--disk-size", "3"}).exit_code == 0);
}

TEST_CASE("init rejects bad images", "[cli][bad-input]") {
    CliSandbox sandbox;
    auto text = sandbox.root() / "notes.txt";
    std::ofstream(text) << std::string(4096, 'x');
    auto empty = sandbox.root() / "empty.img";
    std::ofstream{empty};
    for (auto path : {(sandbox.root() / "missing.qcow2").string(), sandbox.root().string(),
                      text.string(), empty.string()})
        expect_rejected(sandbox, {"init", "--image", path});
}

TEST_CASE("init rejects bad volumes", "[cli][bad-input]") {
    CliSandbox sandbox;
    auto image = sandbox.image();
    auto file = sandbox.root() / "file";
    std::ofstream(file) << "x";
    for (std::string volume : std::vector<std::string>{
             "relative/path:/mnt", (sandbox.root() / "missing").string() + ":/mnt",
             file.string() + ":/mnt", sandbox.root().string() + ":relative",
             sandbox.root().string() + ":/mnt/../etc", sandbox.root().string() + ":/mnt:bogus", ""})
        expect_rejected(sandbox, {"init", "--image", image, "-v", volume});
}

TEST_CASE("init rejects other bad flags", "[cli][bad-input]") {
    CliSandbox sandbox;
    auto image = sandbox.image();
    expect_rejected(sandbox, {"init", "--image", image, "--provider", "virtualbox"});
    expect_rejected(sandbox, {"init", "--image", image, "--username", "Root User"});
    expect_rejected(sandbox, {"init", "--image", image, "--timezone", "Mars/Olympus"});
    expect_rejected(sandbox, {"init", "--image", image, "--timezone", "../../etc/passwd"});
    expect_rejected(sandbox, {"init", "--image", image, "--no-such-flag"});
    for (std::string idle : {"5", "5s", "25h", "soon", "-1m", ""})
        expect_rejected(sandbox, {"init", "--image", image, "--idle-pause", idle});
    // --connect is libvirt's, and takes a URI
    expect_rejected(
        sandbox, {"init", "--image", image, "--provider", "qemu", "--connect", "qemu:///system"});
    expect_rejected(sandbox,
                    {"init", "--image", image, "--provider", "libvirt", "--connect", "bogus"});
    expect_rejected(sandbox, {"frobnicate"});
}

TEST_CASE("a duplicate name is refused and the first machine is untouched", "[cli][bad-input]") {
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "--cpus", "1", "dup"}).exit_code == 0);
    expect_rejected(sandbox, {"init", "--image", sandbox.image(), "--cpus", "2", "dup"});
    CHECK(sandbox.run({"inspect", "--format", "{{.Resources.CPUs}}", "dup"}).out == "1\n");
}

TEST_CASE("set, rm and inspect reject bad input without changing anything", "[cli][bad-input]") {
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "--disk-size", "10", "m"}).exit_code ==
            0);
    expect_rejected(sandbox, {"set", "m", "--disk-size", "5"});
    expect_rejected(sandbox, {"set", "m", "--cpus", "0"});
    expect_rejected(sandbox, {"set", "m", "--memory", "1"});
    expect_rejected(sandbox, {"set", "m"});
    expect_rejected(sandbox, {"set", "m", "--idle-pause", "1s"});
    CHECK(sandbox.run({"set", "m", "--idle-pause", "90s"}).exit_code == 0);
    CHECK(sandbox.run({"inspect", "--format", "{{.IdlePause}}", "m"}).out == "1m30s\n");
    CHECK(sandbox.run({"set", "m", "--idle-pause", "0"}).exit_code == 0);
    CHECK(sandbox.run({"inspect", "--format", "{{.IdlePause}}", "m"}).out == "0s\n");
    expect_rejected(sandbox, {"set", "nosuch", "--cpus", "1"});
    expect_rejected(sandbox, {"rm", "-f", "nosuch"});
    expect_rejected(sandbox, {"rm", "-f", "../m"});
    expect_rejected(sandbox, {"list", "--format", "{{.NoSuchField}}"});
    expect_rejected(sandbox, {"list", "--format", "{{.Name"});
    auto inspect = sandbox.run({"inspect", "nosuch"});
    CHECK(inspect.exit_code == 125);
    CHECK(inspect.out == "[]\n");
}
