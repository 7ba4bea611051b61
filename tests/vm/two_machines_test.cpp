// Two machines at once (podman cannot: its #26281): the shared machine and a second, each with its
// own QEMU, forwarder, API socket, SSH port and published ports, a container in each; a port both
// publish stays the first's, and the second's forwarder says whose it is in one line. The second
// pauses at idle (--idle-pause 10s), so everything it is asked wakes it first, unseen; then the
// pause itself: a paused VM takes no CPU, and the next client, or `machine ssh`, runs it on.
#include "providers/qemu/qmp_client.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

using machine::test::have_docker;
using machine::test::run_in_sandbox;
using machine::test::vm_sandbox;

namespace {

std::string forwarder_log(const std::string &machine) {
    std::ifstream in(vm_sandbox().data_dir() / "machines" / machine / "forwarder.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A web server in a container of `machine`, publishing `port`, answering `text`.
std::string serve(const std::string &machine, const std::string &port, const std::string &text) {
    auto id = run_in_sandbox("docker",
                             {"run", "-d", "-p", port + ":80", "localhost/busybox", "sh", "-c",
                              "echo " + text + " > /tmp/index.html && httpd -f -p 80 -h /tmp"},
                             {}, machine);
    INFO(id.err);
    REQUIRE(id.exit_code == 0);
    return id.out.substr(0, 12);
}

std::size_t count(const std::string &text, const std::string &what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

// Once the second machine's forwarder has paused its VM, with nothing woken since.
bool paused_at_idle() {
    for (int i = 0; i < 160; ++i) {
        auto log = forwarder_log("two");
        if (count(log, "the VM is paused") > count(log, "the VM runs again"))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
}

std::filesystem::path runtime_dir(const std::string &machine) {
    return vm_sandbox().root() / "run" / "machine" / machine;
}

std::string qemu_status(const std::string &machine) {
    machine::QmpClient qmp(runtime_dir(machine) / "qmp.sock", std::chrono::seconds(5));
    return qmp.execute("query-status").value("status", "");
}

// The CPU time QEMU has used, in clock ticks (user + system).
long qemu_ticks(const std::string &machine) {
    int pid = 0;
    std::ifstream(runtime_dir(machine) / "qemu.pid") >> pid;
    REQUIRE(pid > 0);
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) { // field 3 is the state
        if (i == 14)
            utime = std::stol(field);
        if (i == 15) {
            stime = std::stol(field);
            break;
        }
    }
    return utime + stime;
}

std::string fetch(const std::string &port) {
    for (int i = 0; i < 120; ++i) {
        auto got = run_in_sandbox("curl", {"-s", "--max-time", "2", "http://127.0.0.1:" + port});
        if (got.exit_code == 0 && !got.out.empty())
            return got.out;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return {};
}

} // namespace

TEST_CASE("two machines run at once, each with its own API, SSH and ports", "[vm][two]") {
    machine::test::ensure_vm_running();
    if (!have_docker())
        return;
    auto &sandbox = vm_sandbox();
    auto init = sandbox.run({"init", "--image", MACHINE_GUEST_IMAGE, "--cpus", "1", "--memory",
                             "1024", "--disk-size", "8", "--idle-pause", "10s", "two"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    auto start = sandbox.run({"start", "two"});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);

    auto port_of = [&](const std::string &name) {
        return sandbox.run({"inspect", "--format", "{{.SSHConfig.Port}}", name}).out;
    };
    CHECK(port_of("vm") != port_of("two"));
    CHECK(machine::test::vm_api_socket("vm") != machine::test::vm_api_socket("two"));
    for (const std::string name : {"vm", "two"}) {
        auto hostname = sandbox.run({"ssh", name, "hostname"});
        CHECK(hostname.out == name + "\n");
        auto ran =
            run_in_sandbox("docker", {"run", "--rm", "localhost/busybox", "echo", name}, {}, name);
        INFO(ran.err);
        CHECK(ran.out == name + "\n");
    }

    // Both publish 18090: the first has it; the second says whose it is. Each its own too.
    auto first = serve("vm", "18090", "from-vm");
    CHECK(fetch("18090") == "from-vm\n");
    auto second = serve("two", "18090", "from-two");
    auto own = serve("two", "18091", "from-two");
    CHECK(fetch("18091") == "from-two\n");
    bool named = false;
    for (int i = 0; i < 120 && !named; ++i) {
        named = forwarder_log("two").find("not forwarding 127.0.0.1:18090 (tcp): machine \"vm\" "
                                          "forwards it already") != std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    INFO(forwarder_log("two"));
    CHECK(named);
    CHECK(fetch("18090") == "from-vm\n");

    run_in_sandbox("docker", {"rm", "-f", first}, {}, "vm");
    run_in_sandbox("docker", {"rm", "-f", second, own}, {}, "two");

    // Ten seconds without a client: paused, and QEMU takes no CPU while it stays so.
    REQUIRE(paused_at_idle());
    CHECK(qemu_status("two") == "paused");
    auto ticks = qemu_ticks("two");
    std::this_thread::sleep_for(std::chrono::seconds(10));
    // A tick is 10 ms; running idle, QEMU takes some 100 in 10 s under TCG. Paused, a few stray
    // ones: libslirp's 500 ms TCP timer (SSH's hostfwd listener is a TCP socket) and the exits
    // of QEMU's idle worker threads.
    CHECK(qemu_ticks("two") - ticks <= 5);
    CHECK(qemu_status("two") == "paused");

    // The next client is answered as if nothing had happened, and the guest's clock is right.
    auto began = std::chrono::steady_clock::now();
    auto ping = run_in_sandbox("curl", {"-s", "--max-time", "30", "--unix-socket",
                                        machine::test::vm_api_socket("two"), "http://d/_ping"});
    auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    INFO("first _ping after the pause: " << took << " s");
    CHECK(ping.out == "OK");
    CHECK(qemu_status("two") == "running");
    auto host_before =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto date = sandbox.run({"ssh", "two", "date +%s.%N"});
    auto host_after =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    REQUIRE(date.exit_code == 0);
    CHECK(std::stod(date.out) > host_before - 1);
    CHECK(std::stod(date.out) < host_after + 1);

    // `machine ssh` reaches the guest over QEMU's network, which the forwarder does not see: it
    // wakes the VM itself, and holds it awake while it runs.
    REQUIRE(paused_at_idle());
    auto ssh = sandbox.run({"ssh", "two", "sleep 12; echo awake"});
    CHECK(ssh.out == "awake\n");
    auto log = forwarder_log("two");
    CHECK(count(log, "the VM is paused") == count(log, "the VM runs again"));
    INFO(log);

    CHECK(sandbox.run({"rm", "-f", "two"}).exit_code == 0);
    CHECK(sandbox.run({"inspect", "--format", "{{.State}}", "vm"}).out == "running\n");
}
