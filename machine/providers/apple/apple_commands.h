#pragma once
// vfkit's, krunkit's and gvproxy's command lines for one boot, as data. Both hypervisors take one
// `--device` per virtio device with its options split at ',' (krunkit splits each at '=' too),
// so a path holding one cannot be said: it is refused here, in one line, before anything runs.
#include "machine/command.h"
#include "machine/volume.h"
#include "providers/apple/apple_files.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace machine {

// The guest contract's vsock ports (docs/design.md).
inline constexpr std::uint32_t ignition_vsock_port = 1024; // the host serves the config
inline constexpr std::uint32_t ready_vsock_port = 1025;    // the guest says Ready
inline constexpr std::uint32_t mux_vsock_port = 1026;      // the guest agent serves machine-mux

// The tag of Apple's Rosetta share, as podman names it.
inline constexpr std::string_view rosetta_tag = "rosetta";

// One boot of a vfkit or krunkit machine.
struct AppleVm {
    AppleFiles files;
    std::filesystem::path console_log;
    int cpus = 1;
    std::uint64_t memory_mib = 0;
    std::vector<Mount> mounts; // one virtio-fs device each, tagged mount_tag(index)
    std::string mac;           // the network device's
    bool first_boot = false;   // adds the Ignition device (vsock 1024)
    bool rosetta = false;      // vfkit: Apple's Rosetta share for x86_64 programs
    bool nested = false;       // krunkit: nested virtualization (M3 or later, macOS 15)
};

// vfkit: EFI boot with the machine's variable store, the raw disk, Apple's NAT, the console log,
// vsock for Ready, machine-mux and (first boot) Ignition, shared folders, and the REST API on a
// unix socket.
Command vfkit_command(const std::filesystem::path &vfkit, const AppleVm &vm);

// krunkit: the same devices, less what it lacks (it boots its own EFI; no Rosetta), with its
// network through gvproxy's unixgram socket.
Command krunkit_command(const std::filesystem::path &krunkit, const AppleVm &vm);

struct GvproxyOptions {
    std::filesystem::path socket;   // -listen-vfkit unixgram://...
    std::filesystem::path pid_file; // gvproxy writes it (its log is its stderr)
    int ssh_port = 0;               // 127.0.0.1:PORT on the host to the guest's sshd
};

// gvproxy, its flags in a fixed order (podman's come from a Go map: random).
Command gvproxy_command(const std::filesystem::path &gvproxy, const GvproxyOptions &options);

// A locally administered unicast MAC address of the machine's own, from its data folder (so a
// second create makes the same one): 5a and five bytes of the folder's SHA-256.
std::string apple_mac_address(const std::filesystem::path &data_dir);

} // namespace machine
