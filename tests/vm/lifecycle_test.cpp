// A real machine, booted once under QEMU from the image guest-image/ builds, driven through the
// `machine` binary like a user: ssh, exit codes, stdin, cp, stop/start persistence, a QEMU killed
// from outside, a changed host key, and concurrent starts. The test cases run in this order and
// share the machine, since a boot under software emulation takes a while.
#include "../reliability/tally.h"
#include "log_follow.h"
#include "platform/process_runner.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

using machine::test::vm_sandbox;

namespace {

std::string state(const std::string &name = "vm") {
    return vm_sandbox().run({"inspect", "--format", "{{.State}}", name}).out;
}

std::string sha256(const std::string &path) {
    machine::platform::SpawnProcessRunner runner;
    return runner.check({"sha256sum", {path}, {}}).out.substr(0, 64);
}

int qemu_pid() {
    std::ifstream in(vm_sandbox().root() / "run" / "machine" / "vm" / "qemu.pid");
    int pid = 0;
    in >> pid;
    return pid;
}

} // namespace

TEST_CASE("a real machine starts once", "[vm]") {
    machine::test::ensure_vm_running();
    CHECK(state() == "running\n");
    auto again = vm_sandbox().run({"start", "vm"});
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("already running") != std::string::npos);
}

TEST_CASE("ssh runs commands with their exit codes and stdin", "[vm]") {
    machine::test::ensure_vm_running();
    auto uname = vm_sandbox().run({"ssh", "vm", "--", "uname", "-a"});
    CHECK(uname.exit_code == 0);
    CHECK(uname.out.find("Linux vm ") == 0);
    CHECK(vm_sandbox().run({"ssh", "vm", "--", "sh", "-c", "exit 7"}).exit_code == 7);
    CHECK(vm_sandbox().run({"ssh", "vm", "--", "sh", "-c", "echo oops >&2; exit 3"}).err ==
          "oops\n");
    // One word is a shell command line, as with ssh(1) and podman machine ssh.
    CHECK(vm_sandbox().run({"ssh", "vm", "echo abc | tr a x; exit 4"}).exit_code == 4);
    CHECK(vm_sandbox().run({"ssh", "vm", "echo abc | tr a x"}).out == "xbc\n");
    auto input = vm_sandbox().root() / "input.txt";
    std::ofstream(input) << "line one\nline two\n";
    machine::platform::SpawnProcessRunner runner;
    auto piped =
        runner.run({"sh",
                    {"-c", std::string(MACHINE_BINARY) + " ssh vm -- wc -l < " + input.string()},
                    {{"XDG_CONFIG_HOME", (vm_sandbox().root() / "config").string()},
                     {"XDG_DATA_HOME", (vm_sandbox().root() / "data").string()},
                     {"XDG_RUNTIME_DIR", (vm_sandbox().root() / "run").string()}}});
    CHECK(piped.out == "2\n");
    CHECK(vm_sandbox()
              .run({"ssh", "vm", "--", "podman", "run", "--rm", "localhost/busybox", "echo",
                    "hello from a container"})
              .out == "hello from a container\n");
}

TEST_CASE("cp copies 50 MB both ways intact", "[vm]") {
    machine::test::ensure_vm_running();
    auto big = (vm_sandbox().root() / "big.bin").string();
    machine::platform::SpawnProcessRunner runner;
    runner.check({"dd", {"if=/dev/urandom", "of=" + big, "bs=1M", "count=50", "status=none"}, {}});
    ::chmod(big.c_str(), 0640);
    REQUIRE(vm_sandbox().run({"cp", big, "vm:/tmp/big.bin"}).exit_code == 0);
    auto back = (vm_sandbox().root() / "back.bin").string();
    REQUIRE(vm_sandbox().run({"cp", "vm:/tmp/big.bin", back}).exit_code == 0);
    CHECK(sha256(back) == sha256(big));
    CHECK((std::filesystem::status(back).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
           std::filesystem::perms::group_read));
    auto remote = vm_sandbox().run({"ssh", "vm", "--", "sha256sum", "/tmp/big.bin"});
    CHECK(remote.out.substr(0, 64) == sha256(big));
}

TEST_CASE("data survives stop and start", "[vm]") {
    machine::test::ensure_vm_running();
    REQUIRE(vm_sandbox()
                .run({"ssh", "vm", "--", "sh", "-c", "echo kept > ~/kept.txt && sync"})
                .exit_code == 0);
    REQUIRE(vm_sandbox().run({"stop", "vm"}).exit_code == 0);
    CHECK(state() == "stopped\n");
    CHECK(vm_sandbox().run({"stop", "vm"}).exit_code == 0); // stopping a stopped machine succeeds
    REQUIRE(vm_sandbox().run({"start", "vm"}).exit_code == 0);
    CHECK(vm_sandbox().run({"ssh", "vm", "--", "cat", "kept.txt"}).out == "kept\n");
}

TEST_CASE("a QEMU killed from outside shows as stopped and starts again", "[vm]") {
    machine::test::ensure_vm_running();
    int pid = qemu_pid();
    REQUIRE(pid > 0);
    ::kill(pid, SIGKILL);
    for (int i = 0; i < 50 && machine::platform::process_alive(pid); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(state() == "stopped\n");
    auto listed = nlohmann::json::parse(vm_sandbox().run({"list", "--format", "json"}).out);
    CHECK(listed[0]["Running"] == false);
    REQUIRE(vm_sandbox().run({"start", "vm"}).exit_code == 0);
    CHECK(vm_sandbox().run({"ssh", "vm", "--", "true"}).exit_code == 0);
}

TEST_CASE("a changed host key is refused", "[vm]") {
    machine::test::Tally tally(machine::test::bad_inputs, "a changed guest host key");
    machine::test::ensure_vm_running();
    auto config = vm_sandbox().config_dir() / "machines" / "vm.yaml";
    std::ifstream in(config);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto at = text.find("host_key_fingerprint: ");
    REQUIRE(at != std::string::npos);
    auto end = text.find('\n', at);
    auto forged = text;
    forged.replace(at, end - at, "host_key_fingerprint: SHA256:somebodyelse");
    std::ofstream(config, std::ios::trunc) << forged;
    auto refused = vm_sandbox().run({"ssh", "vm", "--", "true"});
    CHECK(refused.exit_code == 125);
    CHECK(refused.err.find("host key of machine \"vm\" has changed") != std::string::npos);
    std::ofstream(config, std::ios::trunc) << text;
    CHECK(vm_sandbox().run({"ssh", "vm", "--", "true"}).exit_code == 0);
}

TEST_CASE("four concurrent starts boot one QEMU", "[vm]") {
    machine::test::ensure_vm_running();
    REQUIRE(vm_sandbox().run({"stop", "vm"}).exit_code == 0);
    std::vector<std::future<machine::ProcessResult>> starts;
    for (int i = 0; i < 4; ++i)
        starts.push_back(std::async(std::launch::async, [] {
            return vm_sandbox().run({"start", "vm"});
        }));
    int started = 0, already = 0;
    for (auto &start : starts) {
        auto result = start.get();
        CHECK(result.exit_code == 0);
        started += result.out.find("started successfully") != std::string::npos;
        already += result.out.find("already running") != std::string::npos;
    }
    CHECK(started == 1);
    CHECK(already == 3);
    CHECK(state() == "running\n");
    REQUIRE(vm_sandbox().run({"rm", "vm"}).exit_code == 125); // running: rm needs --force
    CHECK(vm_sandbox().run({"rm", "-f", "vm"}).exit_code == 0);
    CHECK(vm_sandbox().run({"list", "-q"}).out.empty());
}

TEST_CASE("init --now --rootful boots in one go, logs are followed; a :ro folder stays read-only",
          "[vm]") {
    auto shared = vm_sandbox().root() / "read-only-share";
    std::filesystem::create_directories(shared);
    std::ofstream(shared / "note.txt") << "look, don't touch\n";
    auto now = vm_sandbox().run({"init", "--now", "--rootful", "--image", MACHINE_GUEST_IMAGE, "-v",
                                 shared.string() + ":/srv/shared:ro", "quick"});
    INFO(now.out << now.err);
    REQUIRE(now.exit_code == 0);
    CHECK(now.out.find("started successfully") != std::string::npos);
    CHECK(state("quick") == "running\n");
    auto socket =
        vm_sandbox().run({"inspect", "--format", "{{.ConnectionInfo.PodmanSocket.Path}}", "quick"});
    REQUIRE(socket.exit_code == 0);
    machine::test::check_logs_follow(socket.out.substr(0, socket.out.find('\n')));
    CHECK(vm_sandbox().run({"ssh", "quick", "cat /srv/shared/note.txt"}).out ==
          "look, don't touch\n");
    auto write = vm_sandbox().run({"ssh", "quick", "sudo touch /srv/shared/new.txt"});
    CHECK(write.exit_code != 0); // not even root in the guest writes through a :ro share
    CHECK_FALSE(std::filesystem::exists(shared / "new.txt"));

    // The shared folder gone from the host: `start` says which one, and boots nothing.
    REQUIRE(vm_sandbox().run({"stop", "quick"}).exit_code == 0);
    std::filesystem::remove_all(shared);
    auto missing = vm_sandbox().run({"start", "quick"});
    CHECK(missing.exit_code == 125);
    CHECK(machine::test::is_one_error_line(missing.err));
    CHECK(missing.err.find(shared.string()) != std::string::npos);
    CHECK(state("quick") == "stopped\n");
    CHECK(vm_sandbox().run({"rm", "-f", "quick"}).exit_code == 0);
}
