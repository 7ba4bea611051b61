// The readiness probes against real sockets, the bounded wait, the Ready write, sd_notify, and
// the marker that remembers what to wait for.
#include "agent_test_support.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/readiness.h"
#include "provisioning/agent/unique_fd.h"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>

using namespace machine::agent;
using namespace machine::agent::test;
using namespace std::chrono_literals;

namespace {

// A TCP listener on 127.0.0.1 at a port the kernel picks.
struct TcpListener {
    UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    std::uint16_t port = 0;
    TcpListener() {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd.get(), 4) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&address), &length) == 0);
        port = ntohs(address.sin_port);
    }
};

sockaddr_un unix_address(const fs::path &path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.native().size() < sizeof address.sun_path);
    std::strcpy(address.sun_path, path.c_str());
    return address;
}

UniqueFd unix_listener(const fs::path &path, int type = SOCK_STREAM) {
    UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    auto address = unix_address(path);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    if (type == SOCK_STREAM)
        REQUIRE(::listen(fd.get(), 4) == 0);
    return fd;
}

} // namespace

TEST_CASE("a TCP port is ready while something listens on it", "[agent]") {
    std::uint16_t port = 0;
    {
        TcpListener listener;
        port = listener.port;
        CHECK(tcp_accepts(port));
    }
    CHECK_FALSE(tcp_accepts(port));
}

TEST_CASE("a unix socket is ready while something listens on it", "[agent]") {
    TempDir dir;
    auto path = dir.path() / "podman.sock";
    CHECK_FALSE(unix_socket_accepts(path));
    {
        auto listener = unix_listener(path);
        CHECK(unix_socket_accepts(path));
    }
    CHECK_FALSE(unix_socket_accepts(path)); // the file is left, nobody listens
    write_text(dir.path() / "file", "");
    CHECK_FALSE(unix_socket_accepts(dir.path() / "file"));
    CHECK_FALSE(unix_socket_accepts(dir.path() / std::string(200, 'x')));
}

TEST_CASE("the wait returns once every check has passed once", "[agent]") {
    int polls = 0;
    bool other = false;
    wait_until_ready(
        {{"slow", [&] { return ++polls >= 3; }}, {"flaky", [&] { return other = !other; }}}, 5s,
        1ms);
    CHECK(polls == 3);
}

TEST_CASE("the wait gives up naming only the checks that never passed", "[agent]") {
    auto started = std::chrono::steady_clock::now();
    auto error = thrown<Timeout>([] {
        wait_until_ready({{"sshd on 127.0.0.1:22", [] { return false; }},
                          {"the ready port", [] { return true; }},
                          {"the podman API socket /run/podman/podman.sock", [] { return false; }}},
                         200ms, 10ms);
    });
    CHECK(std::chrono::steady_clock::now() - started >= 200ms);
    CHECK(std::string(error.what()) ==
          "still waiting after 200 ms for sshd on 127.0.0.1:22, the podman API "
          "socket /run/podman/podman.sock");
}

TEST_CASE("Ready is written to an existing port and never creates one", "[agent]") {
    TempDir dir;
    write_text(dir.path() / "port", "");
    send_ready(dir.path() / "port");
    CHECK(read_text(dir.path() / "port") == "Ready\n");
    auto error = thrown<SystemError>([&] { send_ready(dir.path() / "missing"); });
    CHECK_THAT(error.what(), Catch::Contains("cannot open the ready port"));
    CHECK_FALSE(fs::exists(dir.path() / "missing"));
}

TEST_CASE("systemd is notified on $NOTIFY_SOCKET when it gave one", "[agent]") {
    TempDir dir;
    auto path = dir.path() / "notify";
    auto listener = unix_listener(path, SOCK_DGRAM);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    notify_systemd("READY=1");
    ::unsetenv("NOTIFY_SOCKET");
    notify_systemd("STATUS=ignored without a socket");
    char buffer[64] = {};
    auto got = ::recv(listener.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    CHECK(std::string(buffer, got > 0 ? static_cast<std::size_t>(got) : 0) == "READY=1");
    CHECK(::recv(listener.get(), buffer, sizeof buffer, MSG_DONTWAIT) < 0);
}

TEST_CASE("the marker remembers which socket means ready", "[agent]") {
    Readiness rootless{"/run/user/1000/podman/podman.sock"};
    CHECK(render_marker(rootless) == "podman-socket=/run/user/1000/podman/podman.sock\n");
    CHECK(parse_marker(render_marker(rootless)) == rootless);
    CHECK(parse_marker(render_marker(Readiness{})) == Readiness{});
    CHECK(parse_marker("").podman_socket.empty());
    CHECK(parse_marker("# old\npodman-socket=/run/podman/podman.sock\r\n").podman_socket ==
          "/run/podman/podman.sock");
}
