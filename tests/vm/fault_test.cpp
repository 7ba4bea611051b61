// SIGKILL of the CLI in the middle of `start` and `stop` (at named steps, so every step is hit,
// not by luck): the next command sees the true state and can go on, and the API comes back.
#include "shared_machine.h"

#include <catch2/catch.hpp>

using machine::test::CliSandbox;

namespace {

CliSandbox &sandbox() {
    return machine::test::vm_sandbox();
}

std::string state() {
    return sandbox().run({"inspect", "--format", "{{.State}}", "vm"}).out;
}

machine::ProcessResult killed_at(const std::vector<std::string> &args, const std::string &step) {
    auto result = sandbox().run(args, {{"MACHINE_TEST_KILL_AT", step}});
    INFO(step << ": " << result.err);
    CHECK(result.exit_code == 128 + 9);
    return result;
}

bool api_answers() {
    auto ping = machine::test::run_in_sandbox(
        "curl", {"-sf", "--unix-socket", machine::test::vm_api_socket(), "http://d/_ping"});
    return ping.exit_code == 0 && ping.out == "OK";
}

} // namespace

TEST_CASE("start killed while the guest boots, then again once ready", "[vm][faults]") {
    machine::test::ensure_vm_running();
    REQUIRE(sandbox().run({"stop", "vm"}).exit_code == 0);

    killed_at({"start", "vm"}, "start:booting"); // QEMU has connected to the ready socket
    CHECK(state() == "starting\n");              // QEMU runs, but nobody waits for its Ready
    // The next start holds the lock, so nobody else is booting it: it boots afresh. Killed again
    // once everything is up, just before it reports.
    killed_at({"start", "vm"}, "start:ready");
    CHECK(state() == "running\n");
    CHECK(api_answers());
    auto again = sandbox().run({"start", "vm"});
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("already running") != std::string::npos);
}

TEST_CASE("stop killed after the forwarder went: start brings the forwarder back", "[vm][faults]") {
    machine::test::ensure_vm_running();
    killed_at({"stop", "vm"}, "stop:forwarder");
    CHECK(state() == "running\n");
    CHECK_FALSE(api_answers());
    auto start = sandbox().run({"start", "vm"});
    CHECK(start.exit_code == 0);
    CHECK(start.err.find("API forwarder was not running") != std::string::npos);
    CHECK(api_answers());
}

TEST_CASE("stop killed once QEMU is gone: the machine is stopped and starts again",
          "[vm][faults]") {
    machine::test::ensure_vm_running();
    killed_at({"stop", "vm"}, "stop:stopped");
    CHECK(state() == "stopped\n");
    CHECK(sandbox().run({"stop", "vm"}).exit_code == 0); // stopping a stopped machine succeeds
    machine::test::ensure_vm_running();
    CHECK(api_answers());
}
