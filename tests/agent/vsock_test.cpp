// The agent's vsock code over the kernel's vsock_loopback (CID 1): the config fetched over HTTP as
// Ignition's applehv provider does, and nobody listening. This host has no vsock at all: the
// real-VM suite runs these inside the guest (`agent_tests "[vsock]"` after `modprobe
// vsock_loopback`); here they are skipped, saying so.
#include "../reliability/tally.h"
#include "agent_test_support.h"
#include "machine/mux/mux_session.h"
#include "ping_engine.h"
#include "provisioning/agent/agent.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/vsock.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>

using namespace machine::agent;
using namespace machine::agent::test;
using namespace std::chrono_literals;

namespace {

// A port nobody else in this test binary uses, per test.
std::uint32_t test_port(std::uint32_t offset) {
    return 52000 + offset;
}

bool vsock_loopback_works() {
    try {
        auto listener = vsock_listen(test_port(0));
        return bool(vsock_connect(vsock_local_cid, test_port(0), 1s));
    } catch (const SystemError &) {
        return false;
    }
}

// The agent binary: MACHINE_AGENT in the guest (where this binary is copied to), else the build's.
std::string agent_binary() {
    const char *copied = std::getenv("MACHINE_AGENT");
    return copied && *copied ? copied : MACHINE_AGENT_BINARY;
}

// Answers one connection with `answer`, after reading the request's head.
struct OneAnswer {
    UniqueFd listener;
    std::thread thread;
    std::string request;
    OneAnswer(std::uint32_t port, std::string answer)
        : listener(vsock_listen(port)), thread([this, answer] {
              UniqueFd client(::accept(listener.get(), nullptr, nullptr));
              char buffer[4096];
              while (request.find("\r\n\r\n") == std::string::npos) {
                  auto n = ::read(client.get(), buffer, sizeof buffer);
                  if (n <= 0)
                      return;
                  request.append(buffer, std::size_t(n));
              }
              REQUIRE(::send(client.get(), answer.data(), answer.size(), MSG_NOSIGNAL) ==
                      ssize_t(answer.size()));
          }) {}
    ~OneAnswer() { thread.join(); }
};

} // namespace

TEST_CASE("the config is fetched over vsock HTTP, as from vfkit's port 1024", "[agent][vsock]") {
    if (!vsock_loopback_works()) {
        machine::test::skip("no vsock loopback here (it runs inside the guest)");
        return;
    }
    std::string config = R"({"ignition":{"version":"3.4.0"}})";
    {
        OneAnswer host(test_port(1),
                       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + config);
        CHECK(vsock_http_get(vsock_local_cid, test_port(1), 2s) == config);
        host.thread.join();
        host.thread = std::thread([] {});
        CHECK(host.request.rfind("GET / HTTP/1.0\r\n", 0) == 0);
    }
    {
        OneAnswer host(test_port(2), "HTTP/1.1 404 Not Found\r\n\r\n");
        CHECK_THROWS_AS(vsock_http_get(vsock_local_cid, test_port(2), 2s), AgentError);
    }
    // Nobody on the port: no config from there, and no error.
    CHECK_FALSE(vsock_http_get(vsock_local_cid, test_port(3), 2s));
}

TEST_CASE("without fw_cfg the agent takes its config from vsock 1024 and says Ready on 1025",
          "[agent][vsock]") {
    if (!vsock_loopback_works()) {
        machine::test::skip("no vsock loopback here (it runs inside the guest)");
        return;
    }
    // A guest root with no fw_cfg and no virtio-serial port: what vfkit and krunkit give.
    TempDir root;
    write_accounts(root, true);
    write_text(root / std::string(console_path), "");
    std::string config = R"({"ignition":{"version":"3.4.0"},"storage":{"files":[)"
                         R"({"path":"/etc/hostname","mode":420,"overwrite":true,)"
                         R"("contents":{"source":"data:,vsock-guest%0A"}}]}})";
    OneAnswer host(vsock_config_port, "HTTP/1.1 200 OK\r\n\r\n" + config);
    auto ready_listener = vsock_listen(vsock_ready_port);
    std::string ready;
    std::thread ready_reader([&] {
        UniqueFd guest(::accept(ready_listener.get(), nullptr, nullptr));
        char buffer[64];
        for (ssize_t n; (n = ::read(guest.get(), buffer, sizeof buffer)) > 0;)
            ready.append(buffer, std::size_t(n));
    });

    auto pid = spawn_program(
        {agent_binary(), "--root", root.path().string(), "--vsock-cid", "1", "--no-wait"});
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    ready_reader.join();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(ready == "Ready\n");
    CHECK(read_text(root / "etc/hostname") == "vsock-guest\n");
}

TEST_CASE("without a virtio-serial port the agent serves machine-mux on vsock 1026",
          "[agent][vsock]") {
    if (!vsock_loopback_works()) {
        machine::test::skip("no vsock loopback here (it runs inside the guest)");
        return;
    }
    TempDir root, host;
    write_text(root / std::string(console_path), "");
    auto socket = root / std::string(rootful_podman_socket);
    std::filesystem::create_directories(socket.parent_path());
    PingEngine engine(socket);
    auto pid = spawn_program({agent_binary(), "--serve-api", "--root", root.path().string()});

    UniqueFd link;
    for (int i = 0; i < 50 && !link; ++i) { // until the agent listens
        link = vsock_connect(vsock_local_cid, vsock_mux_port, 1s);
        if (!link)
            std::this_thread::sleep_for(100ms);
    }
    REQUIRE(link);
    auto api = host.path() / "api.sock";
    {
        int fd = link.release();
        HostEnd forwarder(api, fd, fd);
        CHECK(ping(api) == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
    }
    ::kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
}
