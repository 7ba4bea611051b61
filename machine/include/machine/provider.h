#pragma once
// One hypervisor backend. The lifecycle lives in MachineManager; a provider only does the
// hypervisor-specific steps, each with a small contract.
#include "machine/layout.h"
#include "machine/machine_config.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace machine {

// What a provider can do, as data, so callers ask instead of catching "not implemented".
struct ProviderFeatures {
    bool direct_kernel_boot = false;       // boots a kernel + initrd given beside the disk
    bool ninep_shares = false;             // host folders over 9p
    bool virtiofs_shares = false;          // host folders over virtiofs
    bool vsock = false;                    // host <-> guest sockets without networking
    bool grow_disk = false;                // `set --disk-size` can grow the disk
    std::vector<std::string> provisioning; // "ignition", "cloud-init"

    bool operator==(const ProviderFeatures &) const = default;
};

enum class MachineState { stopped, starting, running };

std::string to_string(MachineState state);

class Provider {
public:
    virtual ~Provider() = default;

    virtual std::string name() const = 0;
    virtual ProviderFeatures features() const = 0;

    // Makes the machine's disk (and anything else the hypervisor needs) from the config's image.
    // Idempotent: calling it again after a partial run finishes the job.
    virtual void create(const MachineConfig &config, const Layout &layout) = 0;

    // Removes what create() made. Idempotent: what is already gone is not an error.
    virtual void remove(const MachineConfig &config, const Layout &layout) = 0;

    // `running` while the hypervisor process lives, from the process itself (safe against pid
    // reuse); the manager tells `starting` from `running` by the guest's ready signal.
    virtual MachineState state(const MachineConfig &config, const Layout &layout) = 0;

    // Launches the VM detached from this process (it outlives the CLI) and returns once the
    // hypervisor runs. The caller already listens on layout.ready_socket(). `notice` receives
    // one-line remarks for the user (e.g. "software emulation only").
    virtual void start(const MachineConfig &config, const Layout &layout,
                       const std::function<void(const std::string &)> &notice) = 0;

    // Asks the guest to power off, waits up to `grace`, then ends the VM by force. Stopping a
    // stopped machine is not an error.
    virtual void stop(const MachineConfig &config, const Layout &layout,
                      std::chrono::seconds grace) = 0;

    // Grows the disk of a stopped machine to `disk_gib`. Never shrinks.
    virtual void grow_disk(const MachineConfig &config, const Layout &layout,
                           std::uint64_t disk_gib) = 0;
};

} // namespace machine
