#pragma once
// The Ignition config the lifecycle rendered, as a WSL distribution can apply it: the agent the
// host runs in the distribution applies it like any other (provisioning/agent), less what belongs
// to a VM that WSL is not:
//   - the unit writing Ready to the virtio-serial port org.fedoraproject.port.0: the host reads
//     the agent's stdout instead, and a start job waiting for a port that never comes would hold
//     systemd's boot for 90 s;
//   - /etc/hostname: WSL names the distribution itself at every start (and rewrites the file),
//     and the agent setting a name of its own would fight it.
#include <string>

namespace machine {

// Throws Error when `ignition` is not a JSON object (it is ours: a bug, not the user's input).
std::string wsl_ignition(const std::string &ignition);

} // namespace machine
