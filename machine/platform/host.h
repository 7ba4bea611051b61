#pragma once
// Facts about the host the tool runs on.
#include <filesystem>
#include <string>

namespace machine::platform {

enum class HostOs { linux, macos, windows };

HostOs host_os();
std::string host_os_name(); // "linux", "darwin", "windows" (as podman's `info` says)
std::string host_arch();    // "x86_64" or "aarch64"
int host_cpu_count();       // online CPUs
int host_user_id();         // the user's uid (POSIX); -1 where there is none (Windows)
std::uint64_t host_memory_mib();

// True when /dev/kvm opens read-write and answers KVM_GET_API_VERSION.
bool kvm_usable();

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int free_loopback_port();

// XDG dirs with their fallbacks: $XDG_CONFIG_HOME or ~/.config, $XDG_DATA_HOME or
// ~/.local/share, $XDG_RUNTIME_DIR or /run/user/UID or $TMPDIR/machine-UID.
std::filesystem::path user_config_dir();
std::filesystem::path user_data_dir();
std::filesystem::path user_runtime_dir();

// The first executable `name` in $PATH, or an empty path when there is none.
std::filesystem::path find_program(const std::string &name);

// The absolute path of the running program (to start helpers of our own, like the forwarder).
std::string own_executable();

// Seconds since the Unix epoch.
std::int64_t now_unix();

} // namespace machine::platform
