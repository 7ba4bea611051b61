#pragma once
// The two ends around the agent in its transport tests: what stands for podman's API (a unix
// socket that answers GET /_ping as podman does, 404 to anything else), the host's end of
// machine-mux, and the agent binary started with its arguments.
#include "../helpers/unix_address.h"
#include "machine/mux/mux_session.h"
#include "provisioning/agent/unique_fd.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace machine::agent::test {

inline UniqueFd listen_on(const std::filesystem::path &path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto address = machine::test::unix_address(path);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd.get(), 16) == 0);
    return fd;
}

// Answers one request on each connection the way podman answers GET /_ping.
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

// GET /_ping through the unix socket at `path`; the whole answer, once it is complete.
inline std::string ping(const std::filesystem::path &path) {
    UniqueFd client(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto address = machine::test::unix_address(path);
    REQUIRE(::connect(client.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    std::string request = "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n";
    REQUIRE(::write(client.get(), request.data(), request.size()) == ssize_t(request.size()));
    std::string reply;
    char buffer[4096];
    for (ssize_t n; reply.find("\r\n\r\nOK") == std::string::npos &&
                    (n = ::read(client.get(), buffer, sizeof buffer)) > 0;)
        reply.append(buffer, std::size_t(n));
    return reply;
}

// The host's end of machine-mux: the API socket at `api`, carried over the link (`in` and `out`
// become the session's), until destroyed.
struct HostEnd {
    UniqueFd listener;
    std::atomic<bool> running{true};
    std::thread thread;
    HostEnd(const std::filesystem::path &api, int in, int out)
        : listener(listen_on(api)), thread([this, in, out] {
              machine::mux::EndpointOptions options;
              options.listener = listener.get();
              machine::mux::Session session(in, out, options);
              session.run([this] { return running.load(); });
          }) {}
    ~HostEnd() {
        running = false;
        thread.join();
    }
};

// Starts `args` (args[0] a path), with `actions` applied; its pid.
inline pid_t spawn_program(std::vector<std::string> args,
                           const posix_spawn_file_actions_t *actions = nullptr) {
    std::vector<char *> argv;
    for (auto &arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, argv[0], actions, nullptr, argv.data(), environ) == 0);
    return pid;
}

// A program whose stdin and stdout are pipes to us, as a host runs `machine-agent --mux-stdio`.
struct StdioChild {
    pid_t pid = 0;
    int to_child = -1, from_child = -1; // ours to close (HostEnd takes them)
};

inline StdioChild spawn_with_stdio(std::vector<std::string> args) {
    int to_child[2], from_child[2];
    REQUIRE(::pipe2(to_child, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(from_child, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    auto pid = spawn_program(std::move(args), &actions);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    return {pid, to_child[1], from_child[0]};
}

} // namespace machine::agent::test
