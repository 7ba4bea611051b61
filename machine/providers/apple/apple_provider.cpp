#include "providers/apple/apple_provider.h"

#include "machine/errors.h"
#include "machine/printable.h"
#include "platform/atomic_file.h"
#include "platform/clone_file.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"
#include "providers/apple/ignition_server.h"
#include "providers/apple/vm_rest.h"
#include "providers/apple/vsock_ready.h"

#include <cerrno>
#include <filesystem>
#include <fmt/format.h>
#include <thread>

namespace machine {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// How long the hypervisor may take to answer on its REST API once started.
constexpr auto launch_limit = 30s;

MachineState vm_state(const AppleFiles &files) {
    auto body = rest_exchange(files.rest_socket, vm_state_request(), platform::Clock::now() + 5s);
    return body ? parse_rest_vm_state(*body) : MachineState::stopped;
}

// Asks for `change` ("Stop", "HardStop"); false when it was not taken (nobody listens, or the
// hypervisor refused: a guest that cannot be asked to stop yet).
bool request(const AppleFiles &files, std::string_view change) {
    try {
        return rest_exchange(files.rest_socket, vm_state_change_request(change),
                             platform::Clock::now() + 5s)
            .has_value();
    } catch (const Error &) {
        return false;
    }
}

bool stopped_by(const AppleFiles &files, platform::Clock::time_point deadline) {
    for (;;) {
        try {
            if (vm_state(files) == MachineState::stopped)
                return true;
        } catch (const Error &) {
            // A hypervisor busy stopping may not answer: ask again.
        }
        if (platform::Clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(200ms);
    }
}

// The hypervisor we started, or 0: the pid file alone could name a reused pid, so the process
// must also have this machine's REST socket among its arguments.
int hypervisor_pid(const AppleFiles &files) {
    auto pid = platform::read_pid_file(files.pid);
    if (pid > 0 && platform::process_alive(pid) &&
        platform::process_has_argument(pid, files.rest_socket.string(), true))
        return pid;
    return 0;
}

// Written beside, then renamed: a killed init leaves no half-made disk under the final name.
void clone_disk(const std::string &image, const fs::path &disk, std::uint64_t disk_gib) {
    auto partial = disk;
    partial += ".partial";
    try {
        fs::remove(partial);
        platform::clone_file(image, partial);
        if (fs::file_size(partial) < (disk_gib << 30)) // sparse: the guest grows into it
            fs::resize_file(partial, disk_gib << 30);
        fs::rename(partial, disk);
    } catch (const fs::filesystem_error &e) {
        fs::remove(partial);
        throw SystemError("cannot make the disk " + disk.string(), e.code().value(),
                          e.code().message());
    }
}

std::string log_tail(const fs::path &log) {
    try {
        auto text = platform::read_file(log);
        return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
    } catch (const Error &) {
        return {};
    }
}

class MuxOnlyPortPublisher : public PortPublisher {
public:
    std::string add(const PublishedPort &) override {
        return "vfkit and krunkit machines publish ports only through the guest agent "
               "(machine-mux)";
    }
    void remove(const PublishedPort &) override {}
};

} // namespace

ProviderFeatures AppleProvider::apple_features() {
    ProviderFeatures f;
    f.image_formats = {"raw"};    // Apple's framework reads raw disks only; krunkit follows
    f.direct_kernel_boot = false; // EFI: vfkit's linux loader wants an uncompressed arm64 kernel
    f.shares = {"virtiofs"};
    f.ready_channel = "vsock";
    f.grow_disk = true;
    f.provisioning = {"ignition"};      // over vsock 1024, as Ignition's applehv provider reads it
    f.host_address = "192.168.127.254"; // gvproxy's name for the host's loopback
    return f;
}

void AppleProvider::check_macos() const {
    if (host_.os == platform::HostOs::macos)
        return;
    throw HostNotReady(fmt::format("provider {} runs on macOS only, and this host is {}", name(),
                                   host_.os == platform::HostOs::windows ? "Windows" : "Linux"),
                       "use another provider here, e.g. --provider qemu");
}

AppleVm AppleProvider::boot_of(const MachineConfig &config, const Layout &layout,
                               bool first_boot) const {
    auto flag = [&](const char *name) {
        auto found = config.provider_state.find(name);
        return found != config.provider_state.end() && found->second == "true";
    };
    auto mac = config.provider_state.find("mac");
    return {AppleFiles(layout),
            layout.console_log(),
            config.resources.cpus,
            config.resources.memory_mib,
            config.mounts,
            mac != config.provider_state.end() ? mac->second : apple_mac_address(layout.data_dir()),
            first_boot,
            flag("rosetta"),
            flag("nested")};
}

ProviderFiles AppleProvider::files(const Layout &layout) const {
    AppleFiles files(layout);
    return {files.disk, files.ignition};
}

void AppleProvider::create(MachineConfig &config, const Layout &layout,
                           const ProvisioningPayload &payload) {
    if (payload.kind != "ignition" && payload.kind != "none")
        throw InvalidInput("--provisioning",
                           fmt::format("--provisioning: provider {} delivers Ignition, not {}",
                                       name(), printable(payload.kind)));
    AppleFiles files(layout);
    config.provider_state["mac"] = apple_mac_address(layout.data_dir());
    launch_command(boot_of(config, layout, true)); // refuses what cannot be said, before any file
    clone_disk(config.image.path, files.disk, config.resources.disk_gib);
    fs::remove(files.efi_vars); // a new machine: vfkit makes a fresh store at its first boot
    if (payload.kind == "ignition")
        platform::write_file_atomically(files.ignition, payload.ignition, 0600);
    else
        fs::remove(files.ignition);
}

void AppleProvider::remove(const MachineConfig &, const Layout &layout) {
    AppleFiles files(layout);
    auto partial = files.disk;
    partial += ".partial";
    for (const auto &file : {files.disk, partial, files.efi_vars, files.ignition,
                             files.hypervisor_log, files.gvproxy_log}) {
        std::error_code error;
        if (!fs::remove(file, error) && error)
            throw SystemError("cannot remove " + file.string(), error.value(), error.message());
    }
}

MachineState AppleProvider::state(const MachineConfig &, const Layout &layout) {
    return vm_state(AppleFiles(layout));
}

std::unique_ptr<ReadySignal>
AppleProvider::start(const MachineConfig &config, const Layout &layout,
                     const std::function<void(const std::string &)> &) {
    AppleFiles files(layout);
    if (!fs::exists(files.disk))
        throw NotFound(
            fmt::format("machine \"{}\" has no disk: its init did not finish", config.name),
            "remove it with `machine rm -f " + config.name + "` and init it again");
    // Ignition reads its config at the first boot only, as podman serves it.
    bool first_boot = config.last_up == 0 && fs::exists(files.ignition);
    auto command = launch_command(boot_of(config, layout, first_boot));
    // Listening before the VM starts: the guest may ask and say Ready at once.
    std::unique_ptr<IgnitionServer> ignition;
    if (first_boot)
        ignition = std::make_unique<IgnitionServer>(files.ignition_socket,
                                                    platform::read_file(files.ignition));
    auto ready = std::make_unique<VsockReady>(files.ready_socket, std::move(ignition));

    start_network(config, files);
    int pid = 0;
    try {
        std::error_code ignored;
        fs::remove(files.hypervisor_log, ignored);
        pid = platform::spawn_detached(command, files.hypervisor_log);
        platform::write_file_atomically(files.pid, std::to_string(pid) + "\n");
        // Up once its REST API says the VM runs; an early exit means it refused.
        auto deadline = platform::Clock::now() + launch_limit;
        while (vm_state(files) != MachineState::running) {
            if (!platform::child_running(pid))
                throw ProcessFailed(command.display(), 1, log_tail(files.hypervisor_log));
            if (platform::Clock::now() >= deadline)
                throw Timeout(fmt::format("{} did not start within {} s; see {}", command.program,
                                          launch_limit.count(), files.hypervisor_log.string()));
            std::this_thread::sleep_for(50ms);
        }
    } catch (const Error &) {
        if (pid > 0)
            platform::kill_process(pid);
        stop_network(files);
        throw;
    }
    return ready;
}

void AppleProvider::stop(const MachineConfig &, const Layout &layout, std::chrono::seconds grace) {
    AppleFiles files(layout);
    auto now = platform::Clock::now;
    bool stopped = stopped_by(files, now());
    if (!stopped && grace.count() > 0 && request(files, "Stop"))
        stopped = stopped_by(files, now() + grace);
    if (!stopped && request(files, "HardStop"))
        stopped_by(files, now() + 5s);
    // The hypervisor exits once its VM stopped; one that lingers (or hangs) is ended.
    if (int pid = hypervisor_pid(files)) {
        auto deadline = now() + 5s;
        while (platform::process_alive(pid) && now() < deadline)
            std::this_thread::sleep_for(50ms);
        if (platform::process_alive(pid))
            platform::kill_process(pid);
    }
    stop_network(files);
}

void AppleProvider::grow_disk(const MachineConfig &, const Layout &layout, std::uint64_t disk_gib) {
    auto disk = AppleFiles(layout).disk;
    std::error_code error;
    auto size = fs::file_size(disk, error);
    if (!error && size < (disk_gib << 30))
        fs::resize_file(disk, disk_gib << 30, error);
    if (error)
        throw SystemError("cannot grow the disk " + disk.string(), error.value(), error.message());
}

platform::Fd AppleProvider::connect_agent(const MachineConfig &, const Layout &layout) const {
    return platform::connect_unix(AppleFiles(layout).mux_socket);
}

std::unique_ptr<PortPublisher> AppleProvider::port_publisher(const MachineConfig &,
                                                             const Layout &) const {
    return std::make_unique<MuxOnlyPortPublisher>();
}

} // namespace machine
