// `machine-agent --mux-stdio`, the built binary, as WSL's host end will run it: machine-mux over
// its stdin and stdout, carrying an HTTP request to the podman socket under --root, and ending
// when the host closes its end.
#include "../helpers/unix_address.h"
#include "agent_test_support.h"
#include "machine/mux/mux_session.h"
#include "provisioning/agent/agent.h"
#include "provisioning/agent/unique_fd.h"

#include <atomic>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>

extern char **environ;

using namespace machine::agent;
using namespace machine::agent::test;

namespace {

using machine::test::unix_address;

UniqueFd listen_on(const std::filesystem::path &path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto address = unix_address(path);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd.get(), 16) == 0);
    return fd;
}

// The engine: answers one request on each connection the way podman answers GET /_ping.
struct PingEngine {
    UniqueFd listener;
    std::thread thread;
    explicit PingEngine(const std::filesystem::path &path)
        : listener(listen_on(path)), thread([this] {
              for (int fd; (fd = ::accept(listener.get(), nullptr, nullptr)) >= 0;) {
                  UniqueFd connection(fd);
                  char buffer[4096];
                  auto n = ::read(fd, buffer, sizeof buffer);
                  std::string request(buffer, n > 0 ? std::size_t(n) : 0);
                  std::string reply = request.rfind("GET /_ping ", 0) == 0
                                          ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"
                                          : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
                  REQUIRE(::write(fd, reply.data(), reply.size()) == ssize_t(reply.size()));
              }
          }) {}
    ~PingEngine() {
        ::shutdown(listener.get(), SHUT_RDWR);
        thread.join();
    }
};

} // namespace

TEST_CASE("machine-agent --mux-stdio serves the podman socket over its stdin and stdout",
          "[agent]") {
    TempDir root, host;
    write_text(root / std::string(console_path), "");
    auto socket = root / std::string(rootful_podman_socket); // no marker: the rootful socket
    std::filesystem::create_directories(socket.parent_path());
    PingEngine engine(socket);

    // The agent, its stdin and stdout two pipes to us.
    int to_agent[2], from_agent[2];
    REQUIRE(::pipe2(to_agent, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(from_agent, O_CLOEXEC) == 0);
    std::vector<std::string> args{MACHINE_AGENT_BINARY, "--mux-stdio", "--root",
                                  root.path().string()};
    std::vector<char *> argv;
    for (auto &arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_agent[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_agent[1], 1);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_agent[0]);
    ::close(from_agent[1]);

    // The host's end: the API socket a client connects to, carried over the agent's stdio.
    auto api = host.path() / "api.sock";
    auto api_listener = listen_on(api);
    std::atomic<bool> running{true};
    std::thread forwarder([&] {
        machine::mux::EndpointOptions options;
        options.listener = api_listener.get();
        machine::mux::Session session(from_agent[0], to_agent[1], options);
        session.run([&] { return running.load(); });
    });

    UniqueFd client(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto address = unix_address(api);
    REQUIRE(::connect(client.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    std::string request = "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n";
    REQUIRE(::write(client.get(), request.data(), request.size()) == ssize_t(request.size()));
    std::string reply;
    char buffer[4096];
    for (ssize_t n; reply.find("\r\n\r\nOK") == std::string::npos &&
                    (n = ::read(client.get(), buffer, sizeof buffer)) > 0;)
        reply.append(buffer, std::size_t(n));
    CHECK(reply == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");

    // The host goes: the agent's stdin ends, and so does the agent, with 0.
    running = false;
    forwarder.join();
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
