// `machine-agent --mux-stdio`, the built binary, as WSL's host end will run it: machine-mux over
// its stdin and stdout, carrying an HTTP request to the podman socket under --root, and ending
// when the host closes its end.
#include "agent_test_support.h"
#include "machine/mux/mux_session.h"
#include "ping_engine.h"
#include "provisioning/agent/agent.h"
#include "provisioning/agent/unique_fd.h"

#include <atomic>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>

extern char **environ;

using namespace machine::agent;
using namespace machine::agent::test;

TEST_CASE("machine-agent --mux-stdio serves the podman socket over its stdin and stdout",
          "[agent]") {
    TempDir root, host;
    write_text(root / std::string(console_path), "");
    auto socket = root / std::string(rootful_podman_socket); // no marker: the rootful socket
    std::filesystem::create_directories(socket.parent_path());
    PingEngine engine(socket);

    // The agent, its stdin and stdout two pipes to us.
    auto agent =
        spawn_with_stdio({MACHINE_AGENT_BINARY, "--mux-stdio", "--root", root.path().string()});

    // The host's end: the API socket a client connects to, carried over the agent's stdio.
    auto api = host.path() / "api.sock";
    auto forwarder = std::make_unique<HostEnd>(api, agent.from_child, agent.to_child);

    CHECK(ping(api) == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");

    // The host goes: the agent's stdin ends, and so does the agent, with 0.
    forwarder.reset();
    int status = 0;
    REQUIRE(::waitpid(agent.pid, &status, 0) == agent.pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
