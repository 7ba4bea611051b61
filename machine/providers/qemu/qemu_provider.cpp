#include "providers/qemu/qemu_provider.h"

#include "machine/errors.h"
#include "platform/atomic_file.h"
#include "platform/guest_pipe.h"
#include "platform/host.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"
#include "platform/unix_socket.h"
#include "providers/qemu/disk_check.h"
#include "providers/qemu/hostfwd.h"
#include "providers/qemu/qemu_command.h"
#include "providers/qemu/qemu_events.h"
#include "providers/qemu/qemu_files.h"
#include "providers/qemu/qemu_img_command.h"
#include "providers/qemu/qmp_client.h"
#include "providers/qemu/ready_port.h"
#include "providers/qemu/saved_state.h"
#include "providers/qemu/uefi_firmware.h"
#include "provisioning/cloud_init.h"
#include "provisioning/seed_image.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <thread>

namespace machine {

namespace {

using namespace std::chrono_literals;

// Polls until `pid` is gone or `deadline` passes; true when it is gone.
bool wait_for_exit(int pid, platform::Clock::time_point deadline) {
    while (platform::process_alive(pid)) {
        if (platform::Clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(100ms);
    }
    return true;
}

UefiFirmware uefi_firmware(const std::string &arch) {
    auto found = find_uefi_firmware(arch);
    if (!found)
        throw HostNotReady(fmt::format("no UEFI firmware for {} guests here, and this image boots "
                                       "only by firmware (it brings no kernel)",
                                       arch),
                           uefi_firmware_hint(arch));
    return *found;
}

// The host's side of a machine's launch: its accelerator, OS, devices and firmware.
QemuHost host_for(const MachineConfig &config) {
    QemuHost host;
    host.accelerator = host_accelerator(config.arch);
    host.host_os = platform::host_os_name();
    host.devices = stored_qemu_devices(config.provider_state);
    // x86_64 machines made before UEFI boot keep SeaBIOS; aarch64 ones get the variable store
    // they did not have.
    bool legacy_bios = config.arch == "x86_64" && !config.provider_state.count("firmware");
    if (boots_by_firmware(config) && !legacy_bios)
        host.firmware_code = uefi_firmware(config.arch).code.string();
    return host;
}

// The ready signal of a resumed machine: the guest said Ready in the boot it was saved from.
class AlreadyReady final : public ReadySignal {
public:
    explicit AlreadyReady(std::unique_ptr<ReadySignal> port) : port_(std::move(port)) {}
    Event wait(platform::Clock::time_point) override { return Event::ready; }
    bool resumed() const override { return true; }

private:
    std::unique_ptr<ReadySignal> port_; // QEMU's ready chardev stays connected meanwhile
};

// An image of another arch needs that arch's qemu-system, which check_host() did not ask for.
void check_emulator(const std::string &arch) {
    if (auto binary = qemu_system_binary(arch); platform::find_program(binary).empty())
        throw HostNotReady(fmt::format("the image is for {} and QEMU for it is not installed "
                                       "here: no {} on PATH",
                                       arch, binary),
                           "install it (Debian and Ubuntu: apt install qemu-system-arm for "
                           "aarch64, qemu-system-x86 for x86_64), or give an image for this host");
}

// Written beside, then renamed: a killed init leaves no half-made file under the final name.
template <typename Write> void write_private_file(const std::filesystem::path &file, Write write) {
    auto partial = file;
    partial += ".partial";
    std::filesystem::remove(partial);
    write(partial);
    std::filesystem::permissions(partial, std::filesystem::perms::owner_read |
                                              std::filesystem::perms::owner_write);
    std::filesystem::rename(partial, file);
}

// A fresh variable store: no boot entries, so the firmware boots the disk's removable path.
void make_efi_vars(const QemuFiles &files, const UefiFirmware &firmware) {
    write_private_file(files.efi_vars, [&](const std::filesystem::path &temp) {
        std::filesystem::copy_file(firmware.vars_template, temp);
    });
}

} // namespace

ProviderFeatures QemuProvider::features() const {
    ProviderFeatures f;
    f.image_formats = {"qcow2", "raw"};
    f.direct_kernel_boot = true;
    // 9p first, virtiofs (--mount-type) where a virtiofsd may run: only as root (virtiofsd.h),
    // where it passes the guest's identities through, so the guest's user (uid 1000) could not
    // write root's folders, as it can over 9p (QEMU, as root, writes for it).
    f.shares = usable_virtiofsd().empty() ? std::vector<std::string>{"9p"}
                                          : std::vector<std::string>{"9p", "virtiofs"};
    f.ready_channel = "virtio-serial";
    f.grow_disk = true;
    f.provisioning = {"ignition", "cloud-init"};
    f.other_arch = true;                               // by TCG
    f.suspend = platform::host_os_name() != "windows"; // its QEMU has no file-backed RAM
    f.idle_pause = true;
    f.host_address = "10.0.2.2"; // the user network's gateway: the host's loopback
    f.update_payload = true;
    return f;
}

void QemuProvider::check_host() const {
    for (const auto &program : {qemu_system_binary(platform::host_arch()), std::string("qemu-img")})
        if (platform::find_program(program).empty())
            throw HostNotReady(fmt::format("QEMU is not installed here: no {} on PATH", program),
                               "install QEMU (Debian and Ubuntu: apt install qemu-system "
                               "qemu-utils; macOS: brew install qemu; Windows: winget install "
                               "SoftwareFreedomConservancy.QEMU)");
}

std::map<std::string, std::string> QemuProvider::host_facts() const {
    return {{"Accelerator", to_string(host_accelerator(platform::host_arch()))}};
}

ProviderFiles QemuProvider::files(const Layout &layout) const {
    QemuFiles files(layout);
    return {files.disk, files.ignition};
}

void QemuProvider::create(MachineConfig &config, const Layout &layout,
                          const ProvisioningPayload &payload) {
    QemuFiles files(layout);
    const char *spec = std::getenv(std::string(qemu_devices_variable).c_str());
    auto devices = parse_qemu_devices(spec ? spec : "", config.arch);
    check_emulator(config.arch);
    std::optional<UefiFirmware> firmware;
    if (boots_by_firmware(config)) {
        firmware = uefi_firmware(config.arch);
        config.provider_state["firmware"] = "uefi";
    }
    store_qemu_devices(devices, config.provider_state);

    // An earlier attempt may have left a half-written overlay: start from nothing.
    std::filesystem::remove(files.disk);
    write_private_file(files.disk, [&](const std::filesystem::path &temp) {
        runner_.check(qemu_img_create_overlay(config.image.path, config.image.format, temp.string(),
                                              config.resources.disk_gib));
    });
    if (firmware)
        make_efi_vars(files, *firmware);

    write_payload(config, files, payload);
}

// fw_cfg reads the Ignition file at every boot; a seed is a read-only disk.
void QemuProvider::write_payload(const MachineConfig &config, const QemuFiles &files,
                                 const ProvisioningPayload &payload) const {
    auto devices = stored_qemu_devices(config.provider_state);
    if (payload.kind == "ignition" && devices.config == "seed-disk") {
        write_private_file(files.seed_image, [&](const std::filesystem::path &temp) {
            provisioning::write_seed_image(temp, "ignition", {{"config.ign", payload.ignition}});
        });
    } else if (payload.kind == "ignition") {
        platform::write_file_atomically(files.ignition, payload.ignition, 0600);
    } else if (payload.kind == "cloud-init") {
        write_private_file(files.seed_image, [&](const std::filesystem::path &temp) {
            provisioning::write_seed_image(temp, payload.user_data, payload.meta_data);
        });
    }
}

void QemuProvider::update_payload(const MachineConfig &config, const Layout &layout,
                                  const ProvisioningPayload &payload) {
    QemuFiles files(layout);
    discard_saved_state(files); // a resumed guest would never read the new config
    write_payload(config, files, payload);
}

void QemuProvider::remove(const MachineConfig &config, const Layout &layout) {
    QemuFiles files(layout);
    for (const auto &file :
         {files.disk, files.ignition, files.seed_image, files.efi_vars, files.log})
        std::filesystem::remove(file);
    discard_saved_state(files);
    for (std::size_t i = 0; i < config.mounts.size(); ++i)
        std::filesystem::remove(files.virtiofsd(i).log);
}

int QemuProvider::running_pid(const Layout &layout) const {
    // The pid file alone could name a reused pid: the process must also be our QEMU, which is the
    // only one given this machine's QMP socket path.
    QemuFiles files(layout);
    auto pid = platform::read_pid_file(files.pid);
    if (pid > 0 && platform::process_alive(pid) &&
        platform::process_has_argument(pid, files.qmp_socket.string(), true))
        return pid;
    return 0;
}

MachineState QemuProvider::state(const MachineConfig &, const Layout &layout) {
    return running_pid(layout) ? MachineState::running : MachineState::stopped;
}

std::unique_ptr<ReadySignal>
QemuProvider::start(const MachineConfig &config, const Layout &layout,
                    const std::function<void(const std::string &)> &notice) {
    QemuFiles files(layout);
    auto host = host_for(config);
    if (!host.firmware_code.empty() && !std::filesystem::exists(files.efi_vars))
        make_efi_vars(files, uefi_firmware(config.arch));
    // Leaks a killed QEMU left are given back, a corrupt disk refused (disk_check.h). Only where
    // QEMU locks its disks; a QEMU killed a moment ago may hold it while its last threads exit.
    if (host.host_os == "linux")
        if (auto repaired = check_disk(runner_, files.disk, config.name, 10s); !repaired.empty())
            notice(repaired);
    if (const char *chosen = std::getenv("MACHINE_ACCEL"); chosen && *chosen)
        notice(std::string("using the accelerator MACHINE_ACCEL names: ") + chosen);
    else if (auto warning = accelerator_warning(host.accelerator); !warning.empty())
        notice(warning);
    auto command = qemu_launch_command(config, layout, host);
    bool resume = resumable(files, command, notice);
    if (resume) // QEMU makes the machine, then waits for its saved state
        command.args.insert(command.args.end(), {"-incoming", "defer"});
    bool ready_pipe = host.host_os == "windows";
    // POSIX: QEMU connects to the ready socket as a client the moment it starts: listen first.
    std::unique_ptr<ReadyPort> ready;
    if (!ready_pipe)
        ready = std::make_unique<ReadyPort>(files.ready_socket);
    // Each folder's virtiofsd listens before QEMU connects to it, and leaves when QEMU does.
    std::vector<VirtiofsdFiles> virtiofsd_files;
    for (std::size_t i = 0; i < config.mounts.size(); ++i)
        virtiofsd_files.push_back(files.virtiofsd(i));
    auto virtiofsd = start_virtiofsd(
        shares_over_virtiofs(config) ? config.mounts : std::vector<Mount>{}, virtiofsd_files);
    std::filesystem::remove(files.log);
    // A QEMU killed a moment ago may hold its pid file's lock while it exits (its arguments
    // already gone, so it no longer counts as running): the new one gets a file of its own.
    std::filesystem::remove(files.pid);
    int pid = platform::spawn_detached(command, files.log);

    // QEMU writes its pid file once it has read its options, before it makes the machine; an
    // early exit means it refused.
    auto deadline = platform::Clock::now() + 30s;
    auto still_starting = [&] {
        if (!platform::child_running(pid)) {
            auto log = platform::read_file(files.log);
            throw ProcessFailed(command.display(), 1, log);
        }
        if (platform::Clock::now() >= deadline) {
            platform::kill_process(pid);
            throw Timeout("QEMU did not start within 30 s; see " + files.log.string());
        }
    };
    while (platform::read_pid_file(files.pid) != pid) {
        still_starting();
        std::this_thread::sleep_for(20ms);
    }
    // Windows: QEMU makes the ready pipe after its pid file and waits there until we connect.
    while (!ready) {
        try {
            auto attempt = std::min(platform::Clock::now() + 200ms, deadline);
            ready = std::make_unique<ReadyPort>(
                platform::connect_pipe(ready_pipe_name(layout), pid, attempt));
        } catch (const Timeout &) {
            still_starting();
        } catch (const Error &) {
            platform::kill_process(pid); // it would wait for its client for ever
            throw;
        }
    }
    virtiofsd.keep();
    if (!resume)
        return ready;
    try {
        load_vm(files);
    } catch (const Error &error) {
        platform::kill_process(pid);
        wait_for_exit(pid, platform::Clock::now() + 10s);
        discard_saved_state(files);
        notice(std::string("could not resume the saved state (") + error.what() +
               "): discarded; booting afresh");
        return start(config, layout, notice);
    }
    notice("resumed from the saved state");
    return std::make_unique<AlreadyReady>(std::move(ready));
}

bool QemuProvider::resumable(const QemuFiles &files, const Command &launch,
                             const std::function<void(const std::string &)> &notice) const {
    if (!features().suspend)
        return false;
    // QEMU's version is asked only when there is a state to check it against: not at every boot.
    auto mismatch = saved_state_mismatch(files, [&] {
        return launch_fingerprint(launch, runner_.check({launch.program, {"--version"}, {}}).out);
    });
    if (mismatch && mismatch->empty())
        return true;
    if (mismatch)
        notice("the saved state no longer matches (" + *mismatch + "): discarded; booting afresh");
    discard_saved_state(files); // and a boot afresh starts from empty RAM
    return false;
}

void QemuProvider::suspend(const MachineConfig &config, const Layout &layout) {
    if (shares_over_virtiofs(config)) // vhost-user-fs cannot be migrated
        throw WrongState("machine \"" + config.name +
                             "\" shares folders over virtiofs, which QEMU "
                             "cannot save",
                         "`machine stop` it instead");
    int pid = running_pid(layout);
    if (pid == 0)
        throw WrongState("machine \"" + config.name + "\" is not running: nothing to suspend",
                         "start it first; `machine stop` alone stops a machine");
    // The fingerprint of the launch that would resume it: the one that made it.
    auto launch = qemu_launch_command(config, layout, host_for(config));
    auto version = runner_.check({launch.program, {"--version"}, {}}).out;
    save_vm(QemuFiles(layout), pid, launch_fingerprint(launch, version));
}

bool QemuProvider::suspended(const MachineConfig &, const Layout &layout) const {
    return has_saved_state(QemuFiles(layout));
}

void QemuProvider::stop(const MachineConfig &, const Layout &layout, std::chrono::seconds grace) {
    int pid = running_pid(layout);
    if (pid == 0)
        return;
    auto deadline = platform::Clock::now() + grace;
    try {
        QmpClient qmp(QemuFiles(layout).qmp_socket, 5s);
        // A VM paused at idle (--idle-pause) must run to hear the power button.
        if (qmp.execute("query-status").value("status", "") == "paused")
            qmp.execute("cont");
        qmp.execute("system_powerdown");
        if (wait_for_exit(pid, deadline))
            return;
        qmp.execute("quit");
    } catch (const Error &) {
        // A monitor that does not answer leaves only the last resort.
    }
    if (!wait_for_exit(pid, platform::Clock::now() + 5s)) {
        platform::kill_process(pid);
        wait_for_exit(pid, platform::Clock::now() + 5s);
    }
}

void QemuProvider::grow_disk(const MachineConfig &, const Layout &layout, std::uint64_t disk_gib) {
    runner_.check(qemu_img_resize(QemuFiles(layout).disk.string(), disk_gib));
}

SshEndpoint QemuProvider::ssh_endpoint(const MachineConfig &config, const Layout &) const {
    return {"127.0.0.1", config.ssh.port}; // the user network's hostfwd to the guest's 22
}

platform::Fd QemuProvider::connect_agent(const MachineConfig &, const Layout &layout) const {
    return platform::connect_unix(QemuFiles(layout).mux_socket);
}

std::unique_ptr<VmEvents> QemuProvider::watch_events(const MachineConfig &,
                                                     const Layout &layout) const {
    return std::make_unique<QemuEvents>(QemuFiles(layout).events_socket);
}

std::unique_ptr<PortPublisher> QemuProvider::port_publisher(const MachineConfig &,
                                                            const Layout &layout) const {
    return std::make_unique<HostfwdPublisher>(QemuFiles(layout).qmp_socket);
}

} // namespace machine
