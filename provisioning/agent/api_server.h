#pragma once
// The guest end of the fast API transport (docs/mux-protocol.md): serves the host's forwarder on
// the machine-mux virtio-serial port, connecting each stream to the podman API socket the
// provisioned marker names (rootful or the user's). Runs as its own service (machine-api.service)
// beside the one-shot provisioning. While no host end is connected the port reads EOF, so it
// reopens the port every half second until the forwarder connects; then it sleeps in poll().
#include "provisioning/agent/log.h"
#include "provisioning/agent/options.h"

#include <string_view>

namespace machine::agent {

inline constexpr std::string_view mux_port_path = "/dev/virtio-ports/org.machine.mux.0";

// Runs until killed.
[[noreturn]] void serve_api(const Options &options, const Log &log);

} // namespace machine::agent
