#pragma once
// The guest end of the fast API transport (docs/mux-protocol.md): serves the host's forwarder,
// connecting each stream to the podman API socket the provisioned marker names (rootful or the
// user's), or to a published port. Runs as its own service (machine-api.service) beside the
// one-shot provisioning. Its channel is found by what the guest has: the machine-mux
// virtio-serial port under QEMU (fw_cfg there), else vsock port 1026, which the host connects
// to. Where the host reaches the guest by running a process in it (WSL), the link is that
// process's stdin and stdout instead.
#include "provisioning/agent/log.h"
#include "provisioning/agent/options.h"

#include <string_view>

namespace machine::agent {

inline constexpr std::string_view mux_port_path = "/dev/virtio-ports/org.machine.mux.0";

// Runs until killed.
[[noreturn]] void serve_api(const Options &options, const Log &log);

// Serves one forwarder on stdin and stdout; returns when it closes its end.
void serve_api_on_stdio(const Options &options, const Log &log);

} // namespace machine::agent
