#include "providers/qemu/qemu_provider.h"

#include "platform/process_table.h"
#include "providers/qemu/qemu_img_command.h"

#include <filesystem>

namespace machine {

ProviderFeatures QemuProvider::features() const {
    ProviderFeatures f;
    f.direct_kernel_boot = true;
    f.ninep_shares = true;
    f.grow_disk = true;
    f.provisioning = {"ignition", "cloud-init"};
    return f;
}

void QemuProvider::create(const MachineConfig &config, const Layout &layout) {
    // qemu-img refuses nothing here, so remove a half-written overlay from an earlier attempt.
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

MachineState QemuProvider::state(const MachineConfig &, const Layout &layout) {
    // The pid file alone could name a reused pid: the process must also be our QEMU, which is the
    // only one given this machine's QMP socket path.
    auto pid = platform::read_pid_file(layout.pid_file());
    if (pid > 0 && platform::process_has_argument(pid, layout.qmp_socket().string(), true))
        return MachineState::running;
    return MachineState::stopped;
}

void QemuProvider::grow_disk(const MachineConfig &, const Layout &layout, std::uint64_t disk_gib) {
    runner_.check(qemu_img_resize(layout.disk().string(), disk_gib));
}

} // namespace machine
