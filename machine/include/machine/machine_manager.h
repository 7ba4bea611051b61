#pragma once
// The lifecycle, written once for every provider: lock -> reload -> check state -> provider step
// -> save, with undos so that a failure leaves nothing half-made.
#include "machine/command.h"
#include "machine/machine_config.h"
#include "machine/provider.h"
#include "machine/provider_registry.h"
#include "machine/store.h"
#include "platform/file_lock.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace machine {

// `machine init` as typed by the user; every field is validated by init().
struct InitOptions {
    std::string name = "default";
    std::optional<std::string> cpus;
    std::optional<std::string> memory;
    std::optional<std::string> disk_size;
    std::optional<std::string> image; // a path, an http(s) URL, or "default"
    std::optional<std::string> image_sha256;
    std::function<void(std::uint64_t, std::uint64_t)> image_progress = [](std::uint64_t,
                                                                          std::uint64_t) {};
    std::optional<std::string> provider;
    std::optional<std::string> username;
    std::optional<std::string> timezone;
    std::optional<std::string> provisioning; // "ignition" or "cloud-init"; default: the image's
    std::optional<std::vector<std::string>> volumes; // unset: the user's home, as podman does
    std::optional<std::string> mount_type; // "virtiofs" or "9p"; default: the provider's best
    std::optional<std::string> idle_pause; // "5m": pause the VM when idle (durations.h)
    bool rootful = false;
    // Provider-specific, each refused (InvalidInput) where the provider does not offer it
    // (ProviderFeatures::init_flags).
    bool rosetta = false; // x86_64 programs through Apple's Rosetta (applehv, Apple Silicon)
    bool nested = false;  // nested virtualization (libkrun)
    // The hypervisor's connection URI (libvirt: qemu+ssh://USER@HOST/system), kept in the
    // config's provider state as "uri".
    std::optional<std::string> connect;
    // The proxy (--proxy URL: HTTP_PROXY and HTTPS_PROXY; "": none) and the CA certificates
    // (--ca-certs FILE|DIR; "": none). Unset, both come from the host's environment: the proxy
    // variables and SSL_CERT_FILE.
    std::optional<std::string> proxy;
    std::optional<std::string> ca_certs;
    EnvironmentLookup environment = [](const std::string &name) -> std::optional<std::string> {
        const char *value = std::getenv(name.c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
    };
};

struct SetOptions {
    std::optional<std::string> cpus;
    std::optional<std::string> memory;
    std::optional<std::string> disk_size;
    std::optional<bool> rootful;
    std::optional<std::string> idle_pause;
    std::optional<std::string> proxy;    // as init's; "" removes it
    std::optional<std::string> ca_certs; // as init's; "" removes them
};

struct StartOptions {
    std::chrono::seconds timeout{600}; // boot to Ready and SSH; TCG boots take minutes
    // Progress for the user: phase ("booting", "ready"), and one-line notices.
    std::function<void(const std::string &phase)> progress = [](const std::string &) {};
    std::function<void(const std::string &notice)> notice = [](const std::string &) {};
    // The API forwarder to launch once the guest is ready (the CLI knows how to run itself);
    // none when empty.
    Command forwarder;
    // Also point /var/run/docker.sock at the API socket, when free (docker_socket_link.h); what
    // was done is a notice. Released when the forwarder stops.
    bool docker_socket = false;
};

// What start() found or did.
enum class StartResult { started, already_running };

struct MachineStatus {
    std::string name;
    std::optional<MachineConfig> config; // unset when the machine is broken
    MachineState state = MachineState::stopped;
    bool suspended = false; // stopped by `stop --suspend`: the next start resumes it
    std::string problem;    // why the machine is broken; empty when it is fine
};

class MachineManager {
public:
    MachineManager(const Store &store, const ProviderRegistry &providers, ProcessRunner &runner);

    // Validates everything before touching disk; creates the disk, then writes the config last.
    MachineConfig init(const InitOptions &options);

    // Boots a stopped machine and returns once the guest said Ready and SSH answers. On failure
    // or timeout the VM is stopped again and the error points at the console log.
    StartResult start(const std::string &name, const StartOptions &options);

    // A running machine whose API forwarder died (killed, or lost with a `stop` killed halfway)
    // gets a new one; true if it did. Skipped while another command holds the machine's lock:
    // that one is starting or stopping it.
    bool revive_forwarder(const std::string &name, const Command &forwarder);

    // Powers the guest off (forcing it after `grace`); stopping a stopped machine succeeds.
    void stop(const std::string &name, std::chrono::seconds grace = std::chrono::seconds(90));

    // Saves a running machine's state and ends its VM, for the next start to resume
    // (ProviderFeatures::suspend; InvalidInput where the provider cannot, WrongState when it is
    // not running). On failure the machine runs on.
    void suspend(const std::string &name);

    // Removes a machine, or what a killed init left behind. A running machine needs `force`
    // (it is stopped first), else WrongState.
    void remove(const std::string &name, bool force = false);

    // Changes a stopped machine's settings; the disk only grows.
    MachineConfig set(const std::string &name, const SetOptions &options);

    std::vector<MachineStatus> list() const;
    // Throws NotFound, or the config's CorruptConfig.
    MachineStatus status(const std::string &name) const;

    // Remarks a verb made along the way that did not stop it (e.g. a connection that could not
    // be registered), for the CLI to print as warnings.
    const std::vector<std::string> &warnings() const { return warnings_; }

    // A machine's provider, made once per manager: a verb asks it many things, and making one can
    // cost a connection (libvirtd, WMI). Throws InvalidInput("provider") for one this build lacks.
    Provider &provider_of(const MachineConfig &config) const;
    Provider &provider(const std::string &name, const std::string &field = "--provider") const;
    // The provider `init` uses when none is named, and why (ProviderRegistry::default_provider).
    DefaultProvider default_provider() const;

    // Where `init` looks for the image when --image is not given: $MACHINE_IMAGE_DIR,
    // $XDG_DATA_HOME/machine/images/default, /usr/local/share/machine/images/default,
    // /usr/share/machine/images/default; the first holding the file for `provider` wins: the one
    // its manifest.json names under "formats" (guest-image/build: "wsl": "rootfs.tar.zst"), else
    // disk.qcow2.
    std::string default_image_path(const std::string &provider) const;

    // The cached images `name` alone uses (its disk's base, kernel, initrd): what `rm` frees.
    std::vector<std::filesystem::path> images_freed_by_removing(const std::string &name) const;

private:
    // `image_hold`: the image cache, held (image_prune.h) for the caller to keep until the
    // config naming the image is saved.
    MachineConfig validated_config(const InitOptions &options,
                                   std::optional<platform::FileLock> &image_hold) const;
    std::filesystem::path image_cache() const;
    // Removes the cached images no machine uses, unless an init holds the cache right now.
    void prune_images(const MachineConfig *removed);
    MachineState state_of(const MachineConfig &config) const;
    bool suspended(const MachineConfig &config, MachineState state) const;
    void clear_runtime(const Layout &layout) const;
    void start_forwarder(const Layout &layout, const Command &command) const;
    // Of a running machine (the caller holds its lock): starts one if none of ours runs.
    bool restart_dead_forwarder(const Layout &layout, const Command &forwarder) const;
    void stop_forwarder(const Layout &layout) const;
    int forwarder_pid(const Layout &layout) const; // 0: none of ours runs
    // Until the guest said Ready, then (once the forwarder runs: it may be what carries SSH)
    // until its SSH answers; Timeout at `deadline`.
    void wait_until_ready(const MachineConfig &config, const Layout &layout, ReadySignal &ready,
                          const StartOptions &options, platform::Clock::time_point deadline) const;
    void wait_for_ssh(const MachineConfig &config, const Layout &layout,
                      const StartOptions &options, platform::Clock::time_point deadline) const;
    void wait_for_api(const MachineConfig &config, const Layout &layout,
                      const StartOptions &options, platform::Clock::time_point deadline) const;

    std::vector<std::string> warnings_;
    const Store &store_;
    const ProviderRegistry &providers_;
    ProcessRunner &runner_;
    mutable std::map<std::string, std::unique_ptr<Provider>> made_;
};

} // namespace machine
