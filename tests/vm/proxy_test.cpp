// A company network, on the host's loopback (proxy_servers.py): a CONNECT proxy and two HTTPS
// image registries, one with a certificate from a throw-away CA the machine is given at init
// (--ca-certs), one from a CA it is not. The machine is made with --proxy http://127.0.0.1:PORT:
// its engine pulls from the first through the proxy (which the guest reaches at the host's
// address, 10.0.2.2) and trusts it; the second is refused for its certificate, also through the
// proxy. Login shells see the proxy too. Then `set` swaps the CA and respells the proxy, and the
// next boot follows. Containers, rootless and rootful, reach the host as host.docker.internal and
// host.containers.internal.
#include "platform/process_runner.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <thread>

using machine::ProcessResult;
using machine::test::have_docker;
using machine::test::read_text;
using machine::test::run_in_sandbox;
using machine::test::vm_sandbox;

namespace {

const std::string machine_name = "proxied";

ProcessResult sh(const std::string &script) {
    machine::platform::SpawnProcessRunner runner;
    return runner.run({"sh", {"-c", script}, {}});
}

// Two throw-away CAs, each signing a certificate for registry.test.
void make_certificates(const std::filesystem::path &dir) {
    std::string script = "set -e; cd '" + dir.string() + "'\n";
    for (const char *name : {"trusted", "other"})
        script += fmt::format(
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
            "-keyout {0}-ca.key -out {0}-ca.crt -days 2 -subj /CN=throw-away-{0}-ca\n"
            "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout {0}.key "
            "-out {0}.csr -subj /CN=registry.test\n"
            "printf 'subjectAltName=DNS:registry.test\\n' > {0}.ext\n"
            "openssl x509 -req -in {0}.csr -CA {0}-ca.crt -CAkey {0}-ca.key -CAcreateserial "
            "-days 2 -extfile {0}.ext -out {0}.crt\n",
            name);
    auto made = sh(script + " 2>&1");
    INFO(made.out);
    REQUIRE(made.exit_code == 0);
}

// proxy_servers.py, running while this lives.
struct CompanyNetwork {
    std::filesystem::path dir;
    int pid = 0;
    int proxy = 0, trusted = 0, other = 0;

    explicit CompanyNetwork(const std::filesystem::path &folder) : dir(folder) {
        auto started = sh("/usr/bin/python3 '" + std::string(PROXY_SERVERS) + "' '" + dir.string() +
                          "' > '" + (dir / "proxy.log").string() + "' 2>&1 & echo $!");
        REQUIRE(started.exit_code == 0);
        pid = std::stoi(started.out);
        for (int i = 0; i < 100 && !std::filesystem::exists(dir / "ports"); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        INFO(read_text(dir / "proxy.log"));
        REQUIRE(std::filesystem::exists(dir / "ports"));
        std::istringstream(read_text(dir / "ports")) >> proxy >> trusted >> other;
    }
    ~CompanyNetwork() { ::kill(pid, SIGTERM); }
    std::string log() const { return read_text(dir / "proxy.log"); }
};

} // namespace

TEST_CASE("behind a proxy on the host's loopback, with a company CA: pulls go through the proxy, "
          "and only that CA's server is trusted",
          "[vm][proxy]") {
    if (!have_docker())
        return;
    auto dir = vm_sandbox().root() / "company";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    make_certificates(dir);
    CompanyNetwork network(dir);

    auto &sandbox = vm_sandbox();
    sandbox.run({"rm", "--force", machine_name});
    auto proxy = "http://127.0.0.1:" + std::to_string(network.proxy);
    auto init = sandbox.run({"init", "--image", MACHINE_GUEST_IMAGE, "--cpus", "2", "--memory",
                             "1536", "--disk-size", "8", "--proxy", proxy, "--ca-certs",
                             (dir / "trusted-ca.crt").string(), machine_name},
                            {{"NO_PROXY", ""}, {"no_proxy", ""}});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    auto start = sandbox.run({"start", machine_name});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);

    // Login shells: the host's loopback is the host's address.
    auto shell = sandbox.run({"ssh", machine_name, "bash -lc 'echo $HTTPS_PROXY $http_proxy'"});
    CHECK(shell.out == fmt::format("http://10.0.2.2:{0} http://10.0.2.2:{0}\n", network.proxy));

    // Containers reach the host by name, rootless (slirp4netns) and rootful (netavark) alike: the
    // proxy answers a plain GET with its 405.
    auto ask_host = fmt::format("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | "
                                "timeout 10 nc host.docker.internal {0} | head -1; "
                                "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | "
                                "timeout 10 nc host.containers.internal {0} | head -1",
                                network.proxy);
    auto answers = std::string("HTTP/1.1 405 CONNECT only\r\nHTTP/1.1 405 CONNECT only\r\n");
    auto rootless = run_in_sandbox(
        "docker", {"run", "--rm", "localhost/busybox", "sh", "-c", ask_host}, {}, machine_name);
    INFO(rootless.err);
    CHECK(rootless.out == answers);
    auto rootful = sandbox.run(
        {"ssh", machine_name,
         "sudo podman run --rm localhost/busybox sh -c " + machine::shell_quote(ask_host)});
    INFO(rootful.err);
    CHECK(rootful.out == answers);

    auto trusted = fmt::format("registry.test:{}/proxied:latest", network.trusted);
    auto pulled = run_in_sandbox("docker", {"pull", trusted}, {}, machine_name);
    INFO(pulled.out << pulled.err << network.log());
    CHECK(pulled.exit_code == 0);
    CHECK(network.log().find(fmt::format("CONNECT registry.test:{}", network.trusted)) !=
          std::string::npos);
    auto layer = run_in_sandbox("docker", {"image", "inspect", "--format", "{{.Id}}", trusted}, {},
                                machine_name);
    CHECK(layer.exit_code == 0);

    auto other = fmt::format("registry.test:{}/proxied:latest", network.other);
    auto refused = run_in_sandbox("docker", {"pull", other}, {}, machine_name);
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code != 0);
    CHECK(refused.err.find("x509: certificate signed by unknown authority") != std::string::npos);
    CHECK(network.log().find(fmt::format("CONNECT registry.test:{}", network.other)) !=
          std::string::npos);

    // set: another CA, and the proxy spelled as localhost; both reach the guest at its next boot.
    REQUIRE(sandbox.run({"stop", machine_name}).exit_code == 0);
    auto set = sandbox.run({"set", "--proxy", fmt::format("localhost:{}", network.proxy),
                            "--ca-certs", (dir / "other-ca.crt").string(), machine_name});
    INFO(set.err);
    REQUIRE(set.exit_code == 0);
    auto again = sandbox.run({"start", machine_name});
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    auto now_other = run_in_sandbox("docker", {"pull", other}, {}, machine_name);
    INFO(now_other.out << now_other.err);
    CHECK(now_other.exit_code == 0);
    // The CA taken away is no longer trusted: once its registry's image is gone from the guest
    // (a pull of an image the engine holds may be answered from its store), pulling it again is
    // refused.
    CHECK(run_in_sandbox("docker", {"rmi", trusted}, {}, machine_name).exit_code == 0);
    auto no_longer = run_in_sandbox("docker", {"pull", trusted}, {}, machine_name);
    INFO(no_longer.out << no_longer.err);
    CHECK(no_longer.exit_code != 0);
    CHECK(no_longer.err.find("x509: certificate signed by unknown authority") != std::string::npos);

    CHECK(sandbox.run({"rm", "--force", machine_name}).exit_code == 0);
}
