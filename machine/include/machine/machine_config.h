#pragma once
// A machine's settings as a plain value. Persisted as YAML by config_file.h.
#include "machine/proxy_settings.h"
#include "machine/volume.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace machine {

// 2: `provider:` a map of its name and the provider's own state; the guest user's uid (ssh.uid);
// version 1 files are read too (config_file.h says how they are migrated). 3: idle_pause_seconds.
// 4: proxy and ca_certs.
inline constexpr int config_schema_version = 4;

// The disk image a machine boots from. `kernel`/`initrd` are set when the image brings its own
// (direct kernel boot); otherwise firmware boots the disk.
struct ImageSource {
    std::string path;   // absolute path of the base image the overlay is backed by
    std::string format; // "qcow2", "raw" or "tar" (a root filesystem)
    std::string kernel;
    std::string initrd;
    std::string kernel_cmdline;
    std::string provisioning = "ignition"; // "ignition" (fw_cfg), "cloud-init" or "none"

    bool operator==(const ImageSource &) const = default;
};

struct Resources {
    int cpus = 2;
    std::uint64_t memory_mib = 2048;
    std::uint64_t disk_gib = 20;

    bool operator==(const Resources &) const = default;
};

struct SshSettings {
    std::string username = "core";
    int port = 0; // host port forwarded to the guest's 22, chosen at init
    std::string identity_path;
    std::string host_key_fingerprint; // pinned at init; empty until provisioning exists
    int uid = 1000;                   // the guest user's, chosen at init (its API socket's path)

    bool operator==(const SshSettings &) const = default;
};

struct MachineConfig {
    std::string name;
    std::string provider = "qemu";
    std::string arch = "x86_64"; // guest architecture: "x86_64" or "aarch64"
    Resources resources;
    ImageSource image;
    SshSettings ssh;
    std::vector<Mount> mounts;
    bool rootful = false;
    std::string timezone; // empty: the host's
    // The forwarder pauses the VM after this long without a client (--idle-pause); 0: never.
    std::int64_t idle_pause_seconds = 0;
    ProxySettings proxy;      // as on the host; the guest's loopback rewrite happens at render time
    std::string ca_certs;     // PEM certificates the guest trusts besides Debian's (ca_certs.h)
    std::int64_t created = 0; // Unix seconds
    std::int64_t last_up = 0; // Unix seconds; 0 = never started
    // The provider's own state (a domain's UUID, a VM's GUID...), `provider.state` in the YAML:
    // written and read by the provider alone, but for the init flags it honours, which init
    // records there ("rosetta": "true"; ProviderFeatures::init_flags).
    std::map<std::string, std::string> provider_state;

    bool operator==(const MachineConfig &) const = default;
};

} // namespace machine
