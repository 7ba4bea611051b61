// The fault matrix on a real machine: the CLI SIGKILLed at each step of `start`, `stop`,
// `stop --suspend` and `rm` (named steps, so every one is hit, not by luck), QEMU and the forwarder
// SIGKILLed, the guest's sshd (with every SSH session), its podman service and our agent's API
// server restarted. After each: the next command reports the true state, the lock is free, the disk
// image passes `qemu-img check` (whenever QEMU is down: right after the fault, and after a clean
// stop), and the machine starts and serves the API again. The machine ends each fault stopped.
#include "../vm/shared_machine.h"
#include "platform/process_runner.h"
#include "tally.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <thread>

using machine::test::run_in_sandbox;
using machine::test::vm_sandbox;

namespace {

std::string state() {
    auto out = vm_sandbox().run({"inspect", "--format", "{{.State}}", "vm"}).out;
    return out.substr(0, out.find('\n'));
}

int pid_from(const std::string &file) {
    std::ifstream in(vm_sandbox().root() / "run" / "machine" / "vm" / file);
    int pid = 0;
    in >> pid;
    return pid;
}

void kill_and_wait(int pid) {
    REQUIRE(pid > 0);
    ::kill(pid, SIGKILL);
    for (int i = 0; i < 100 && machine::platform::process_alive(pid); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE_FALSE(machine::platform::process_alive(pid)); // every thread of it gone
}

bool api_answers(int seconds = 1) {
    for (int i = 0; i < seconds * 2; ++i) {
        auto ping = run_in_sandbox("curl", {"-sf", "--max-time", "10", "--unix-socket",
                                            machine::test::vm_api_socket(), "http://d/_ping"});
        if (ping.out == "OK")
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
}

bool lock_free() {
    auto lock = vm_sandbox().config_dir() / "locks" / "vm.lock";
    return run_in_sandbox("flock", {"-n", lock.string(), "true"}).exit_code == 0;
}

// `qemu-img check` of the machine's disk: exit 0 consistent, 3 leaked clusters only, 2 corrupt,
// 1 not checked (another process holds it).
machine::ProcessResult check_disk() {
    auto disk = vm_sandbox().data_dir() / "machines" / "vm" / "disk.qcow2";
    return run_in_sandbox("qemu-img", {"check", disk.string()});
}

void check_disk_intact() {
    auto check = check_disk();
    INFO("qemu-img check: exit " << check.exit_code << "\n" << check.out << check.err);
    CHECK(check.exit_code == 0);
}

void killed_at(const std::vector<std::string> &args, const std::string &step) {
    auto result = vm_sandbox().run(args, {{"MACHINE_TEST_KILL_AT", step}});
    INFO(step << ": " << result.err);
    REQUIRE(result.exit_code == 128 + 9);
}

void start_machine(const std::map<std::string, std::string> &env = {}) {
    auto start = vm_sandbox().run({"start", "vm"}, env);
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);
}

// After any fault. `expected`: the state the next command must report.
void check_recovery(const std::string &expected) {
    CHECK(state() == expected);
    auto listed = vm_sandbox().run({"list", "--format", "{{.Name}} {{.Running}} {{.LastUp}}"}).out;
    CHECK(listed.find("Broken") == std::string::npos); // a whole machine, not a half-made one
    CHECK((listed.find("vm true") != std::string::npos) == (expected == "running"));
    CHECK(lock_free());
    if (expected == "stopped")
        check_disk_intact();
    if (expected != "running")
        start_machine();
    CHECK(api_answers(30));
    REQUIRE(vm_sandbox().run({"stop", "vm"}).exit_code == 0);
    CHECK(state() == "stopped");
    check_disk_intact();
}

void ensure_stopped() {
    machine::test::ensure_vm_running(); // made and provisioned on first use
    REQUIRE(vm_sandbox().run({"stop", "vm"}).exit_code == 0);
}

} // namespace

TEST_CASE("fault matrix: start killed at each step", "[reliability][faults]") {
    auto step = GENERATE(as<std::string>{}, "start:launched", "start:booting", "start:ready");
    machine::test::Tally tally(machine::test::faults, "start killed at " + step);
    ensure_stopped();
    killed_at({"start", "vm"}, step);
    // Until Ready nobody has said the machine is up: it is starting (QEMU runs), and the next
    // `start` boots it afresh. Killed once ready, it is simply running. Killed just after QEMU
    // was launched, it depends on who was first: QEMU, if it reached the ready socket while the
    // CLI still lived, runs on (starting); if not, it exits at once (stopped). Either way the
    // state must say which.
    auto expected = step == "start:ready" ? "running" : "starting";
    if (step == "start:launched") {
        std::this_thread::sleep_for(std::chrono::seconds(2));
        if (!machine::platform::process_alive(pid_from("qemu.pid")))
            expected = "stopped";
    }
    check_recovery(expected);
}

TEST_CASE("fault matrix: stop killed at each step", "[reliability][faults]") {
    auto step = GENERATE(as<std::string>{}, "stop:forwarder", "stop:stopped");
    machine::test::Tally tally(machine::test::faults, "stop killed at " + step);
    start_machine();
    killed_at({"stop", "vm"}, step);
    if (step == "stop:forwarder") { // QEMU runs on, without its forwarder: `start` brings it back
        CHECK_FALSE(api_answers());
        start_machine();
    }
    check_recovery(step == "stop:forwarder" ? "running" : "stopped");
}

TEST_CASE("fault matrix: stop --suspend killed at each step", "[reliability][faults]") {
    auto step = GENERATE(as<std::string>{}, "suspend:forwarder", "suspend:saved", "suspend:ended");
    machine::test::Tally tally(machine::test::faults, "stop --suspend killed at " + step);
    machine::test::ensure_vm_running(); // made and provisioned on first use
    auto folders_now = [] {
        return vm_sandbox().run({"ssh", "vm", "findmnt -rn -t 9p,virtiofs -o TARGET || true"}).out;
    };
    auto folders = folders_now();
    killed_at({"stop", "--suspend", "vm"}, step);
    // Before QEMU ended, it runs on (the VM stopped once its state was saved): `start` brings the
    // forwarder back, which runs the VM again. After, a state without its fingerprint is no saved
    // state: the next start boots afresh.
    if (step != "suspend:ended") {
        CHECK(state() == "running");
        CHECK_FALSE(api_answers());
        start_machine();
        CHECK(folders_now() == folders); // mounted again, as before
    }
    check_recovery(step == "suspend:ended" ? "stopped" : "running");
}

TEST_CASE("fault matrix: rm of a running machine killed once it stopped it",
          "[reliability][faults]") {
    machine::test::Tally tally(machine::test::faults, "rm killed at rm:stopped");
    start_machine();
    killed_at({"rm", "-f", "vm"}, "rm:stopped");
    check_recovery("stopped"); // nothing removed yet: the machine is whole, and starts
}

TEST_CASE("fault matrix: QEMU killed", "[reliability][faults]") {
    machine::test::Tally tally(machine::test::faults, "QEMU killed");
    start_machine();
    // Killed while the guest writes, QEMU may leave clusters allocated that nothing uses: harmless
    // (qemu-img check exits 3, not 2), and the next start gives them back, so the clean stop
    // after it (check_recovery) finds none. Buffered writes, many megabytes at once: the guest's
    // writeback keeps QEMU allocating.
    auto writing = vm_sandbox().run(
        {"ssh", "vm",
         "nohup sh -c 'for i in 1 2 3 4 5 6 7 8; do dd if=/dev/urandom of=/var/tmp/fill$i "
         "bs=1M count=40; done' </dev/null >/dev/null 2>&1 &"});
    REQUIRE(writing.exit_code == 0);
    std::this_thread::sleep_for(std::chrono::seconds(4));
    kill_and_wait(pid_from("qemu.pid"));
    CHECK(state() == "stopped");
    CHECK(vm_sandbox().run({"list"}).out.find("Broken") == std::string::npos);
    CHECK(lock_free());
    auto check = check_disk(); // at once: every thread of QEMU is gone, so is its lock on the disk
    INFO("qemu-img check: exit " << check.exit_code << "\n" << check.out << check.err);
    CHECK((check.exit_code == 0 || check.exit_code == 3));
    auto start = vm_sandbox().run({"start", "vm"});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);
    bool said = (start.out + start.err).find("gave back") != std::string::npos;
    CHECK(said == (check.exit_code == 3));
    check_recovery("running");
}

TEST_CASE("fault matrix: the forwarder killed", "[reliability][faults]") {
    machine::test::Tally tally(machine::test::faults, "forwarder killed");
    start_machine();
    kill_and_wait(pid_from("forwarder.pid"));
    CHECK_FALSE(api_answers());
    auto list = vm_sandbox().run({"list"}); // notices, and brings it back
    CHECK(list.err.find("was not running; started it again") != std::string::npos);
    check_recovery("running");
}

TEST_CASE("fault matrix: the guest's sshd restarted and every SSH session cut",
          "[reliability][faults]") {
    machine::test::Tally tally(machine::test::faults, "guest sshd restarted");
    start_machine({{"MACHINE_API_TRANSPORT", "ssh"}}); // the forwarder's channels ride on SSH
    REQUIRE(api_answers());
    // In the background, so the session that asks is cut too, after it returned.
    auto cut = vm_sandbox().run(
        {"ssh", "vm",
         "sudo sh -c 'sleep 1; systemctl restart ssh; pkill -KILL -f \"sshd: .*@\"' "
         ">/dev/null 2>&1 &"});
    CHECK(cut.exit_code == 0);
    std::this_thread::sleep_for(std::chrono::seconds(3));
    CHECK(api_answers(30)); // the forwarder reconnected
    CHECK(vm_sandbox().run({"ssh", "vm", "true"}).exit_code == 0);
    check_recovery("running");
}

TEST_CASE("fault matrix: the guest's podman service restarted", "[reliability][faults]") {
    machine::test::Tally tally(machine::test::faults, "guest podman service restarted");
    start_machine();
    REQUIRE(api_answers());
    auto restart =
        vm_sandbox().run({"ssh", "vm", "systemctl --user restart podman.socket podman.service"});
    INFO(restart.err);
    CHECK(restart.exit_code == 0);
    CHECK(api_answers(30));
    check_recovery("running");
}

TEST_CASE("fault matrix: the guest agent's API server restarted", "[reliability][faults]") {
    machine::test::Tally tally(machine::test::faults, "guest agent restarted");
    start_machine();
    REQUIRE(api_answers());
    auto restart = vm_sandbox().run({"ssh", "vm", "sudo systemctl restart machine-api"});
    INFO(restart.err);
    CHECK(restart.exit_code == 0);
    CHECK(api_answers(30)); // machine-mux resynchronised on the agent's new HELLO
    check_recovery("running");
}
