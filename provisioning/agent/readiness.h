#pragma once
// "Ready" means the host can use the machine: sshd accepts connections and so does the podman
// API's socket (socket-activated: the engine starts on that first connection). Each condition is a
// check with a description (named when time runs out); the wait polls them all every 100 ms until
// they have all passed once.
#include "provisioning/agent/unique_fd.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace machine::agent {

struct Check {
    std::string description; // "sshd on 127.0.0.1:22"
    std::function<bool()> passed;
};

// Throws Timeout naming the checks that never passed.
void wait_until_ready(std::vector<Check> checks, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds interval = std::chrono::milliseconds(100));

// A TCP connection to 127.0.0.1:`port` is accepted.
bool tcp_accepts(std::uint16_t port);

// A connected socket to the unix socket at `path`, or an empty one with errno set.
UniqueFd connect_unix(const std::filesystem::path &path);

// A connection to the unix socket at `path` is accepted.
bool unix_socket_accepts(const std::filesystem::path &path);

// Writes "Ready\n" to the virtio-serial port (blocks until the host reads it, which it does from
// before QEMU starts). The port is opened, never created.
void send_ready(const std::filesystem::path &port);

// sd_notify(3) without libsystemd: `state` ("READY=1") to $NOTIFY_SOCKET, if systemd gave one
// (Type=notify). Failures are ignored, as sd_notify's are.
void notify_systemd(std::string_view state);

// What the agent waits for, remembered in the provisioned marker so a boot without a config
// (the host passes none) still knows: "podman-socket=/run/podman/podman.sock".
struct Readiness {
    std::string podman_socket; // in the guest; empty: wait for sshd only
    bool operator==(const Readiness &) const = default;
};
std::string render_marker(const Readiness &readiness);
Readiness parse_marker(std::string_view text);

} // namespace machine::agent
