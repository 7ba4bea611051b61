#pragma once
// One hypervisor backend: everything a backend differs in, and nothing else. The lifecycle (lock,
// undo, state, forwarder, connections) is written once in MachineManager; each method here has a
// one-line contract, and what a provider can do is data (ProviderFeatures), not a throw.
#include "machine/command.h"
#include "machine/errors.h"
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "machine/port_publisher.h"
#include "platform/unix_socket.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace machine {

// What a provider can do, read by init, set and start before they ask for it.
struct ProviderFeatures {
    std::vector<std::string> image_formats; // what it boots: "qcow2", "raw", "vhdx", "tar" (WSL)
    bool direct_kernel_boot = false;        // boots a kernel + initrd given beside the disk
    // Host-folder types, best first: "virtiofs", "9p". init takes the first (or --mount-type's)
    // and, for a machine with folders, keeps it in the provider state as "mount_type".
    std::vector<std::string> shares;
    std::string ready_channel;             // how Ready arrives: "virtio-serial", "vsock", "stdio"
    bool grow_disk = false;                // `set --disk-size` can grow the disk
    std::vector<std::string> provisioning; // payloads it delivers: "ignition", "cloud-init"
    bool other_arch = false;               // runs a guest of another architecture (emulated)
    bool set_resources = true;             // `set` can change CPUs, memory, disk (WSL: global)
    bool suspend = false;                  // `stop --suspend` saves the running VM to resume
    bool idle_pause = false; // --idle-pause: its VmEvents pause and resume the VM (QMP stop, cont)
    // `init` flags it honours on this host ("rosetta", "nested", "connect"); init keeps each one
    // asked for in the config's provider state: "true", or --connect's URI as "uri".
    std::vector<std::string> init_flags = {};
    // The host as the guest reaches it (QEMU's user network: 10.0.2.2; gvproxy: 192.168.127.254);
    // a proxy on the host's loopback is given to the guest at this address. Empty: unknown.
    std::string host_address = {};
    // `set --proxy`/`--ca-certs`: it hands the guest an Ignition config at every boot, so a new
    // one (update_payload) reaches it at the next.
    bool update_payload = false;

    bool operator==(const ProviderFeatures &) const = default;
};

enum class MachineState { stopped, starting, running };

std::string to_string(MachineState state);

// The first-boot configuration the lifecycle rendered; the provider delivers it its own way
// (fw_cfg, a seed disk, HTTP over vsock, Hyper-V KVP, commands).
struct ProvisioningPayload {
    std::string kind;                 // "ignition", "cloud-init" or "none"
    std::string ignition;             // Ignition JSON, for "ignition"
    std::string user_data, meta_data; // NoCloud, for "cloud-init"
};

// The guest's readiness as `start` hands it back, for the lifecycle to wait on.
class ReadySignal {
public:
    enum class Event { nothing, ready, closed };
    virtual ~ReadySignal() = default;
    // Waits until `deadline`: `ready` once the guest said Ready, `closed` when the channel ended
    // without it, `nothing` when the deadline passed first.
    virtual Event wait(platform::Clock::time_point deadline) = 0;
    // True for a machine resumed from a saved state (its guest said Ready in the boot saved).
    virtual bool resumed() const { return false; }
};

// The VM's pauses and resumes as the hypervisor reports them, for the forwarder: the guest's
// clock stood still while it was paused, and is set to the host's after each resume. Where
// ProviderFeatures::idle_pause says so, the forwarder also pauses an idle VM through it.
class VmEvents {
public:
    virtual ~VmEvents() = default;
    // Readable when events wait.
    virtual int fd() const = 0;
    // Reads what waits: whether the VM ran again after a pause since the last call. Throws
    // (QmpError, SystemError) once the hypervisor's end is gone.
    virtual bool resumed() = 0;
    // Stops the VM's CPUs where they are, and runs them on; throw like resumed().
    virtual void pause() = 0;
    virtual void run_on() = 0;
};

struct SshEndpoint {
    std::string host; // where the host connects for the guest's sshd; empty: no SSH (WSL)
    int port = 0;
    // The forwarder serves host:port itself and carries it to the guest's port 22 over
    // machine-mux (a guest on another host: libvirt over qemu+ssh), so SSH answers only once the
    // forwarder runs.
    bool over_mux = false;
};

// Where a machine's files of the provider's own are, for `inspect`; empty when it has none.
struct ProviderFiles {
    std::filesystem::path disk;
    std::filesystem::path provisioning;
};

class Provider {
public:
    virtual ~Provider() = default;

    virtual std::string name() const = 0;
    virtual ProviderFeatures features() const = 0;

    // Throws HostNotReady naming what to install when this host cannot run its machines.
    virtual void check_host() const = 0;

    // Facts about the host for `machine info`, e.g. {"Accelerator": "kvm"}.
    virtual std::map<std::string, std::string> host_facts() const = 0;

    virtual ProviderFiles files(const Layout &layout) const = 0;

    // Makes the disk from the config's image and delivers `payload`; may record its own state in
    // config.provider_state. Idempotent: calling it again after a partial run finishes the job.
    virtual void create(MachineConfig &config, const Layout &layout,
                        const ProvisioningPayload &payload) = 0;

    // Removes what create() made. Idempotent: what is already gone is not an error.
    virtual void remove(const MachineConfig &config, const Layout &layout) = 0;

    // After `removed` went: deletes its copies of base images this provider keeps apart from the
    // image cache (a libvirt pool's) that no machine stands on any more. Run with the image cache
    // to itself, so no init of this store is making a machine (others sharing the provider's
    // storage may be); a failure is only a warning.
    virtual void prune_images(const MachineConfig & /*removed*/) {}

    // `running` while the VM lives, from the hypervisor itself (safe against pid reuse); the
    // manager tells `starting` from `running` by the guest's ready signal.
    virtual MachineState state(const MachineConfig &config, const Layout &layout) = 0;

    // Launches the VM detached from this process (it outlives the CLI) and returns, once the
    // hypervisor runs, what to wait on for the guest's Ready. `notice` receives one-line remarks
    // for the user (e.g. "software emulation only").
    virtual std::unique_ptr<ReadySignal>
    start(const MachineConfig &config, const Layout &layout,
          const std::function<void(const std::string &)> &notice) = 0;

    // Asks the guest to power off, waits up to `grace`, then ends the VM by force. Stopping a
    // stopped machine is not an error.
    virtual void stop(const MachineConfig &config, const Layout &layout,
                      std::chrono::seconds grace) = 0;

    // Saves the running VM's state and ends it (features().suspend); the next start() resumes it
    // if nothing changed since, and boots afresh otherwise. On failure the VM runs on.
    virtual void suspend(const MachineConfig &config, const Layout &layout) {
        (void)config, (void)layout;
        throw WrongState("provider " + name() + " cannot suspend a machine");
    }

    // Whether a stopped machine holds a saved state for its next start() (features().suspend).
    // Cheap: whether that state still matches the launch is only asked when starting.
    virtual bool suspended(const MachineConfig &config, const Layout &layout) const {
        (void)config, (void)layout;
        return false;
    }

    // Replaces a stopped machine's Ignition config with `payload` for its next boot
    // (features().update_payload); the agent applies it at every boot.
    virtual void update_payload(const MachineConfig &config, const Layout &layout,
                                const ProvisioningPayload &payload) {
        (void)config, (void)layout, (void)payload;
        throw WrongState("provider " + name() +
                         " gives the guest its config at the first boot only");
    }

    // Grows the disk of a stopped machine to `disk_gib` (features().grow_disk). Never shrinks.
    virtual void grow_disk(const MachineConfig &config, const Layout &layout,
                           std::uint64_t disk_gib) = 0;

    // Where the guest's sshd answers the host; an empty host where it has none (then the API goes
    // over machine-mux only).
    virtual SshEndpoint ssh_endpoint(const MachineConfig &config, const Layout &layout) const = 0;

    // A stream connected to the guest agent's machine-mux; throws SystemError when it is not
    // there (a guest without our agent, or not booted yet). One link at a time: a call may end
    // what carried the previous one (WSL: its process), whose stream the caller has closed.
    virtual platform::Fd connect_agent(const MachineConfig &config, const Layout &layout) const = 0;

    // For a machine without SSH (ssh_endpoint's host empty): the command that opens a shell in it
    // as `user`, or runs `command_line` (a shell command line) there, on the user's own
    // terminal (WSL: wsl.exe -d DISTRIBUTION -u USER). nullopt when there is no such way.
    virtual std::optional<Command> login_command(const MachineConfig &config,
                                                 const std::string &user,
                                                 const std::string &command_line) const {
        (void)config, (void)user, (void)command_line;
        return std::nullopt;
    }

    // The host-folder types this machine can have, best first: the features' own, but none for
    // a machine on another host (libvirt over qemu+ssh), whose hypervisor cannot see ours.
    virtual std::vector<std::string> shares_for(const MachineConfig &config) const {
        (void)config;
        return features().shares;
    }

    // The running VM's events; nullptr where the provider reports none (the guest's clock then
    // follows the host's every minute and at each forwarder connection only).
    virtual std::unique_ptr<VmEvents> watch_events(const MachineConfig &config,
                                                   const Layout &layout) const {
        (void)config, (void)layout;
        return nullptr;
    }

    // Makes the ports the guest's containers publish reachable on the host's loopback.
    virtual std::unique_ptr<PortPublisher> port_publisher(const MachineConfig &config,
                                                          const Layout &layout) const = 0;
};

} // namespace machine
