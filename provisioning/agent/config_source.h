#pragma once
// Where this boot's Ignition config comes from and where Ready goes, found by what the guest has,
// so that one agent serves every hypervisor with the host side podman's (docs/design.md, "The
// guest contract"):
//   QEMU, libvirt   fw_cfg opt/com.coreos/config          Ready on virtio-serial
//   any provider    a seed disk labelled ignition/cidata  (Ready as the hypervisor's row says)
//   Hyper-V         KVP pool 0, ignition.config.N         Ready to the host's vsock port 1025
//   vfkit, krunkit  HTTP GET / from the host, vsock 1024  Ready to the host's vsock port 1025
// (--config FILE and --ready-port PATH, for tests and trying by hand, count as the first.)
#include "provisioning/agent/files.h"
#include "provisioning/agent/options.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace machine::agent {

inline constexpr std::string_view fw_cfg_dir = "/sys/firmware/qemu_fw_cfg";

struct ReadyChannel {
    std::optional<std::filesystem::path> port;   // a virtio-serial port (or a file, in tests)
    std::uint32_t vsock_cid = 0, vsock_port = 0; // else this vsock address
    std::string describe() const;
};

struct FoundConfig {
    std::string text;
    std::string from; // for the log: "/sys/firmware/...", "vsock 2:1024"
};

// True where the guest's channels are virtio-serial ports (QEMU, libvirt): QEMU's fw_cfg is
// there, or `port` itself.
bool uses_virtio_serial(const Root &root, const std::filesystem::path &port);

// Where Ready goes: the port given, else QEMU's virtio-serial port where QEMU's fw_cfg is there,
// else the host's vsock port.
ReadyChannel ready_channel(const Options &options, const Root &root);

// The config from where this hypervisor puts it; nullopt where it has none this boot. Asking the
// host over vsock waits up to `vsock_wait` for the transport and the host's server.
std::optional<FoundConfig> find_config(const Options &options, const Root &root,
                                       std::chrono::milliseconds vsock_wait);

// Writes "Ready\n" to the channel; a vsock host may not listen yet: retried until `timeout`.
// Throws SystemError.
void send_ready(const ReadyChannel &channel, std::chrono::milliseconds timeout);

} // namespace machine::agent
