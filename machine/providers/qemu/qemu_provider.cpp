#include "providers/qemu/qemu_provider.h"

#include "machine/errors.h"
#include "machine/qmp_client.h"
#include "platform/atomic_file.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"
#include "platform/unix_socket.h"
#include "providers/qemu/qemu_command.h"
#include "providers/qemu/qemu_img_command.h"

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

} // namespace

ProviderFeatures QemuProvider::features() const {
    ProviderFeatures f;
    f.direct_kernel_boot = true;
    f.ninep_shares = true;
    f.grow_disk = true;
    f.provisioning = {"ignition", "cloud-init"};
    return f;
}

void QemuProvider::create(const MachineConfig &config, const Layout &layout) {
    // An earlier attempt may have left a half-written overlay: start from nothing.
    std::filesystem::remove(layout.disk());
    auto temp = layout.disk();
    temp += ".partial";
    std::filesystem::remove(temp);
    runner_.check(qemu_img_create_overlay(config.image.path, config.image.format, temp.string(),
                                          config.resources.disk_gib));
    std::filesystem::permissions(temp, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
    std::filesystem::rename(temp, layout.disk());
}

void QemuProvider::remove(const MachineConfig &, const Layout &layout) {
    std::filesystem::remove(layout.disk());
}

int QemuProvider::running_pid(const Layout &layout) const {
    // The pid file alone could name a reused pid: the process must also be our QEMU, which is the
    // only one given this machine's QMP socket path.
    auto pid = platform::read_pid_file(layout.pid_file());
    if (pid > 0 && platform::process_alive(pid) &&
        platform::process_has_argument(pid, layout.qmp_socket().string(), true))
        return pid;
    return 0;
}

MachineState QemuProvider::state(const MachineConfig &, const Layout &layout) {
    return running_pid(layout) ? MachineState::running : MachineState::stopped;
}

void QemuProvider::start(const MachineConfig &config, const Layout &layout,
                         const std::function<void(const std::string &)> &notice) {
    QemuHost host;
    host.accelerator = host_accelerator(config.arch);
    if (config.arch == "aarch64")
        host.firmware = find_aarch64_firmware();
    if (const char *chosen = std::getenv("MACHINE_ACCEL"); chosen && *chosen)
        notice(std::string("using the accelerator MACHINE_ACCEL names: ") + chosen);
    else if (auto warning = accelerator_warning(host.accelerator); !warning.empty())
        notice(warning);
    auto command = qemu_launch_command(config, layout, host);
    std::filesystem::remove(layout.hypervisor_log());
    int pid = platform::spawn_detached(command, layout.hypervisor_log());

    // QEMU writes its pid file once it has set the machine up; an early exit means it refused.
    auto deadline = platform::Clock::now() + 30s;
    while (platform::read_pid_file(layout.pid_file()) != pid) {
        if (!platform::child_running(pid)) {
            auto log = platform::read_file(layout.hypervisor_log());
            throw ProcessFailed(command.display(), 1, log);
        }
        if (platform::Clock::now() >= deadline) {
            platform::kill_process(pid);
            throw Timeout("QEMU did not start within 30 s; see " +
                          layout.hypervisor_log().string());
        }
        std::this_thread::sleep_for(20ms);
    }
}

void QemuProvider::stop(const MachineConfig &, const Layout &layout, std::chrono::seconds grace) {
    int pid = running_pid(layout);
    if (pid == 0)
        return;
    auto deadline = platform::Clock::now() + grace;
    try {
        QmpClient qmp(layout.qmp_socket(), 5s);
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
    runner_.check(qemu_img_resize(layout.disk().string(), disk_gib));
}

} // namespace machine
