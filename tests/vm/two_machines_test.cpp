// Two machines at once (podman cannot: its #26281): the shared machine and a second, each with its
// own QEMU, forwarder, API socket, SSH port and published ports, a container in each; a port both
// publish stays the first's, and the second's forwarder says whose it is in one line.
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <fstream>
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
                             "1024", "--disk-size", "8", "two"});
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
    CHECK(sandbox.run({"rm", "-f", "two"}).exit_code == 0);
    CHECK(sandbox.run({"inspect", "--format", "{{.State}}", "vm"}).out == "running\n");
}
