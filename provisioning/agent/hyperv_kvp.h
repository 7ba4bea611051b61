#pragma once
// Hyper-V's key-value pair exchange, as the guest's KVP daemon speaks it over /dev/vmbus/hv_kvp
// (hv_utils): podman's Hyper-V provider puts the Ignition config into the host's pool 0 as
// `ignition.config.0`, `.1`... (990 bytes each), and the host hands the pool over once a
// daemon registers. Like Ignition's hyperv provider, the agent is that daemon for a moment: it
// registers, answers every message, takes the pool, and writes it where hv_kvp_daemon keeps it,
// readable by root alone (the config holds the guest's SSH host key).
#include "provisioning/agent/files.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace machine::agent {

inline constexpr std::string_view kvp_device_path = "/dev/vmbus/hv_kvp";
inline constexpr std::string_view kvp_pool_dir = "/var/lib/hyperv";

using KvpPool = std::map<std::string, std::string>;

// Registers on `device` (an open /dev/vmbus/hv_kvp) and answers the host until it has been quiet
// for `quiet` after the first item, or `wait` passed with none. Returns pool 0 (the host's
// external pool). Throws SystemError when the device fails.
KvpPool receive_kvp_pool(int device, std::chrono::milliseconds wait,
                         std::chrono::milliseconds quiet);

// ignition.config.0, .1... joined in order up to the first missing one; nullopt without a .0.
std::optional<std::string> ignition_from_kvp(const KvpPool &pool);

// The pool as hv_kvp_daemon stores it (fixed-size records of key and value), mode 0600.
void write_kvp_pool_file(const std::filesystem::path &file, const KvpPool &pool);

} // namespace machine::agent
