#pragma once
// AF_VSOCK, the agent's channel where a hypervisor has no virtio-serial: vfkit and krunkit (virtio
// vsock), and Hyper-V, whose hvsock is AF_VSOCK inside a Linux guest (hv_sock). The host is always
// CID 2; the ports are the host's contract (docs/design.md, "The guest contract").
#include "provisioning/agent/unique_fd.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace machine::agent {

inline constexpr std::uint32_t vsock_host_cid = 2;  // VMADDR_CID_HOST
inline constexpr std::uint32_t vsock_local_cid = 1; // VMADDR_CID_LOCAL: vsock_loopback, for tests
inline constexpr std::uint32_t vsock_config_port = 1024; // the host serves Ignition over HTTP
inline constexpr std::uint32_t vsock_ready_port = 1025;  // the guest writes Ready
inline constexpr std::uint32_t vsock_mux_port = 1026;    // the guest serves machine-mux

// Connects to cid:port within `timeout`; an empty fd when nobody listens there in time.
UniqueFd vsock_connect(std::uint32_t cid, std::uint32_t port, std::chrono::milliseconds timeout);

// Listens on `port` of every CID this guest has. Throws SystemError.
UniqueFd vsock_listen(std::uint32_t port);

// GET / over HTTP/1.0 to cid:port, as Ignition's applehv provider asks the host for its config:
// the body of a 200 answer; nullopt when nobody answers; throws AgentError on any other answer.
std::optional<std::string> vsock_http_get(std::uint32_t cid, std::uint32_t port,
                                          std::chrono::milliseconds timeout);

} // namespace machine::agent
