#pragma once
// vfkit's REST API on its --restful-uri unix socket (krunkit serves part of it): `GET /vm/state`
// answers {"state": "VirtualMachineStateRunning", ...}; `POST /vm/state` {"state": "Stop"} asks
// the guest to power off and {"state": "HardStop"} ends the VM at once. The requests and the
// reading of the answer are pure; rest_exchange() does the talking.
#include "machine/provider.h"
#include "platform/unix_socket.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace machine {

std::string vm_state_request();
// `state`: "Stop" or "HardStop".
std::string vm_state_change_request(std::string_view state);

// The VM's state from the body GET /vm/state answers: running while the VM exists (starting,
// paused, stopping...), stopped once vfkit says Stopped or Error. krunkit ends its body with a
// NUL, which is ignored. Throws ProtocolError when it is not that JSON.
MachineState parse_rest_vm_state(const std::string &body);

// Sends `request` and returns the answer's body; nullopt when nobody listens on `socket` (the
// hypervisor is gone). Throws ProtocolError on an answer that is not 2xx, Timeout at `deadline`.
std::optional<std::string> rest_exchange(const std::filesystem::path &socket,
                                         const std::string &request,
                                         platform::Clock::time_point deadline);

} // namespace machine
