// What a laptop asks of a running machine (issue 19), on the shared machine: the guest's clock
// follows the host's after the VM stood still, and memory and disk the guest freed go back to the
// host.
#include "providers/qemu/qmp_client.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sys/stat.h>
#include <thread>

using namespace std::chrono_literals;
using machine::test::vm_sandbox;

namespace {

std::filesystem::path runtime_dir() {
    return vm_sandbox().root() / "run" / "machine" / "vm";
}

std::string forwarder_log() {
    std::ifstream in(vm_sandbox().data_dir() / "machines" / "vm" / "forwarder.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

double host_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// QEMU's resident memory, in MiB.
double qemu_rss_mib() {
    int pid = 0;
    std::ifstream(runtime_dir() / "qemu.pid") >> pid;
    REQUIRE(pid > 0);
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stod(line.substr(6)) / 1024;
    FAIL("no VmRSS for QEMU");
    return 0;
}

// What the machine's disk overlay takes on the host's disk, in MiB (its allocated blocks).
double disk_allocated_mib() {
    struct stat disk {};
    REQUIRE(
        ::stat(
            (vm_sandbox().root() / "data" / "machine" / "machines" / "vm" / "disk.qcow2").c_str(),
            &disk) == 0);
    return double(disk.st_blocks) * 512 / (1024 * 1024);
}

} // namespace

TEST_CASE("the guest's clock follows the host's after the VM stood still for two minutes",
          "[vm][clock]") {
    machine::test::ensure_vm_running();
    // Once the forwarder and the agent speak: a VM paused before that would leave the forwarder
    // waiting for an answer, then on SSH.
    for (int i = 0;
         i < 240 && forwarder_log().find("forwarding over machine-mux") == std::string::npos; ++i)
        std::this_thread::sleep_for(250ms);
    REQUIRE(forwarder_log().find("forwarding over machine-mux") != std::string::npos);
    {
        machine::QmpClient qmp(runtime_dir() / "qmp.sock", 5s);
        qmp.execute("stop");
        std::this_thread::sleep_for(120s);
        qmp.execute("cont");
    }
    std::this_thread::sleep_for(2s);
    auto before = host_seconds();
    auto guest = vm_sandbox().run({"ssh", "vm", "date +%s.%N"});
    auto after = host_seconds();
    REQUIRE(guest.exit_code == 0);
    auto guest_seconds = std::stod(guest.out);
    INFO("host " << before << " to " << after << ", guest " << guest_seconds);
    CHECK(guest_seconds > before - 1);
    CHECK(guest_seconds < after + 1);
    // It was the agent that set it, from two minutes behind.
    auto journal = vm_sandbox().run(
        {"ssh", "vm", "sudo journalctl -u machine-api --no-pager -o cat | grep 'behind the host'"});
    INFO(journal.out << journal.err);
    CHECK(journal.out.find("s behind the host's; set") != std::string::npos);
}

TEST_CASE("memory the guest frees goes back to the host", "[vm][balloon]") {
    machine::test::ensure_vm_running();
    auto settled = qemu_rss_mib();
    // 1.5 GiB touched and freed in the guest (dd's buffer).
    auto touched =
        vm_sandbox().run({"ssh", "vm", "dd if=/dev/zero of=/dev/null bs=1536M count=1 2>&1"});
    INFO(touched.out << touched.err);
    REQUIRE(touched.exit_code == 0);
    auto peak = qemu_rss_mib();
    INFO("QEMU's RSS: " << settled << " MiB before, " << peak << " MiB after the allocation");
    CHECK(peak > settled + 1024); // it was really taken from the host
    double now = peak;
    for (int second = 0; second < 60 && now > 1.2 * settled; ++second) {
        std::this_thread::sleep_for(1s);
        now = qemu_rss_mib();
    }
    INFO("and " << now << " MiB within 60 s");
    CHECK(now <= 1.2 * settled);
}

TEST_CASE("disk space a container frees goes back to the host", "[vm][discard]") {
    machine::test::ensure_vm_running();
    auto before = disk_allocated_mib();
    // Written in a container that stays (its layer keeps the file) until it is removed.
    auto written = vm_sandbox().run({"ssh", "vm",
                                     "podman run --name filler localhost/busybox dd if=/dev/zero "
                                     "of=/big bs=1M count=2000 2>&1 && sync"});
    INFO(written.out << written.err);
    REQUIRE(written.exit_code == 0);
    auto full = disk_allocated_mib();
    INFO("the overlay: " << before << " MiB before, " << full << " MiB with 2 GB written");
    CHECK(full > before + 1500);
    REQUIRE(vm_sandbox().run({"ssh", "vm", "podman rm filler"}).exit_code == 0);
    double now = full;
    for (int second = 0; second < 60 && now > before + 200; ++second) {
        std::this_thread::sleep_for(1s);
        now = disk_allocated_mib();
    }
    INFO("and " << now << " MiB once the container is gone");
    CHECK(now <= before + 200);
}

namespace {

std::string in_guest(const std::string &command) {
    auto result = vm_sandbox().run({"ssh", "vm", command});
    INFO(command << ": " << result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

} // namespace

TEST_CASE("stop --suspend saves the machine and start resumes it: the same boot, containers "
          "running, data intact",
          "[vm][suspend]") {
    machine::test::ensure_vm_running();
    // No network: a rootless container's slirp4netns holds the host folders' mounts, with which
    // QEMU cannot save the machine (the next test case).
    in_guest("podman rm -f counter >/dev/null 2>&1; podman run -d --network none --name counter "
             "localhost/busybox sh -c 'echo kept > /data; i=0; while :; do i=$((i+1)); echo $i > "
             "/count; sleep 1; done'");
    auto boot = in_guest("cat /proc/sys/kernel/random/boot_id");
    auto folders = in_guest("findmnt -rn -t 9p,virtiofs -o TARGET || true");
    std::this_thread::sleep_for(3s);

    auto suspended = vm_sandbox().run({"stop", "--suspend", "vm"});
    INFO(suspended.out << suspended.err);
    REQUIRE(suspended.exit_code == 0);
    CHECK(suspended.out == "Machine \"vm\" suspended successfully\n");
    CHECK(vm_sandbox().run({"inspect", "--format", "{{.State}} {{.Suspended}}", "vm"}).out ==
          "stopped true\n");
    // `list` tells it from a machine that would boot afresh.
    CHECK(vm_sandbox().run({"list", "--format", "{{.Name}} {{.LastUp}}"}).out ==
          "vm Currently suspended\n");

    auto resumed = vm_sandbox().run({"start", "vm"});
    INFO(resumed.out << resumed.err);
    REQUIRE(resumed.exit_code == 0);
    CHECK(resumed.err.find("resumed from the saved state") != std::string::npos);
    CHECK(in_guest("cat /proc/sys/kernel/random/boot_id") == boot); // not a boot: the same one
    CHECK(in_guest("podman inspect --format '{{.State.Status}}' counter") == "running\n");
    CHECK(in_guest("podman exec counter cat /data") == "kept\n");
    auto count = std::stoi(in_guest("podman exec counter cat /count"));
    std::this_thread::sleep_for(3s);
    CHECK(std::stoi(in_guest("podman exec counter cat /count")) > count);       // it runs on
    CHECK(in_guest("findmnt -rn -t 9p,virtiofs -o TARGET || true") == folders); // mounted again
    CHECK(vm_sandbox().run({"inspect", "--format", "{{.Suspended}}", "vm"}).out == "false\n");
    // The API answers through the new forwarder, and the clock is the host's again.
    auto ping = machine::test::run_in_sandbox(
        "curl", {"-sf", "--unix-socket", machine::test::vm_api_socket(), "http://d/_ping"});
    CHECK(ping.out == "OK");
    auto before = host_seconds();
    auto guest = std::stod(in_guest("date +%s.%N"));
    CHECK(guest > before - 1);
    CHECK(guest < host_seconds() + 1);
    in_guest("podman rm -f counter");
}

TEST_CASE("stop --suspend refuses while a container's network holds the host folders, and the "
          "machine runs on as it was",
          "[vm][suspend]") {
    machine::test::ensure_vm_running();
    auto folders = in_guest("findmnt -rn -t 9p,virtiofs -o TARGET || true");
    if (folders.empty()) {
        WARN("skipped: the machine shares no folder");
        return;
    }
    in_guest("podman run -d --name networked localhost/busybox sleep 600");
    auto refused = vm_sandbox().run({"stop", "--suspend", "vm"});
    CHECK(refused.exit_code == 125);
    CHECK(refused.err == "Error: machine \"vm\" has host folders, and a running container's "
                         "network (slirp4netns) holds them: QEMU cannot save it so; stop the "
                         "containers with a network, or `machine stop` it instead\n");
    CHECK(in_guest("findmnt -rn -t 9p,virtiofs -o TARGET || true") == folders);
    CHECK(in_guest("podman inspect --format '{{.State.Status}}' networked") == "running\n");
    in_guest("podman rm -f networked");
    CHECK(vm_sandbox().run({"start", "vm"}).exit_code == 0); // its forwarder, back
}

TEST_CASE("a saved state that no longer matches is discarded with a notice: a boot afresh; a "
          "stopped machine has nothing to suspend",
          "[vm][suspend]") {
    machine::test::ensure_vm_running();
    auto boot = in_guest("cat /proc/sys/kernel/random/boot_id");
    REQUIRE(vm_sandbox().run({"stop", "--suspend", "vm"}).exit_code == 0);
    // A stopped machine has nothing to save: one line, and its saved state stays as it is.
    auto refused = vm_sandbox().run({"stop", "--suspend", "vm"});
    CHECK(refused.exit_code == 125);
    CHECK(refused.err == "Error: machine \"vm\" is not running: nothing to suspend; `machine start "
                         "vm` boots it\n");
    CHECK(std::filesystem::exists(vm_sandbox().data_dir() / "machines" / "vm" / "saved.state"));
    // As if QEMU had been upgraded since: the state was saved from another launch.
    std::ofstream(vm_sandbox().data_dir() / "machines" / "vm" / "saved.fingerprint") << "another";
    auto started = vm_sandbox().run({"start", "vm"});
    INFO(started.out << started.err);
    REQUIRE(started.exit_code == 0);
    CHECK(started.err.find("the saved state no longer matches (QEMU, the image or the machine's "
                           "settings changed since): discarded; booting afresh") !=
          std::string::npos);
    CHECK(in_guest("cat /proc/sys/kernel/random/boot_id") != boot);
    CHECK_FALSE(
        std::filesystem::exists(vm_sandbox().data_dir() / "machines" / "vm" / "saved.state"));
}
