#pragma once
// The guest end of a published port over machine-mux: a "tcp:PORT" or "udp:PORT" stream is
// connected to PORT on the guest's own loopback, where the engine publishes it (rootless podman's
// port forwarder listens there; rootful netavark's rules take localhost traffic too).
#include <string>

namespace machine::agent {

// A connected socket (for "udp:", a connected UDP socket), or -1 with `error` set: a target that
// is not a port, or a refused connection.
int dial_port(const std::string &target, std::string &error);

// True for the targets dial_port takes ("tcp:" or "udp:" and a port).
bool is_port_target(const std::string &target);

} // namespace machine::agent
