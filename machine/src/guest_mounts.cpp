#include "machine/guest_mounts.h"

#include "machine/command.h"
#include "machine/errors.h"
#include "machine/ssh_session.h"
#include "platform/atomic_file.h"
#include "provisioning/guest_settings.h"

#include <fmt/format.h>

namespace machine {

namespace fs = std::filesystem;

namespace {

std::filesystem::path mark(const Layout &layout) {
    return layout.runtime_dir() / "folders-unmounted";
}

} // namespace

bool guest_folders_unmounted(const Layout &layout) {
    return fs::exists(mark(layout));
}

void set_guest_mounts(const MachineConfig &config, const SshEndpoint &ssh, const Layout &layout,
                      bool mounted) {
    if (config.mounts.empty())
        return;
    std::string units;
    for (const auto &mount : config.mounts)
        units += " " + shell_quote(provisioning::mount_unit_name(mount.guest_path));
    // A rootless container's slirp4netns sandbox holds a copy of every mount of its day, so the
    // folders stay in use however they are unmounted here: refused before anything changes. Only
    // a live one: podman's service leaves the slirp4netns of stopped containers unreaped, and a
    // zombie holds nothing.
    constexpr int held = 86;
    auto command = mounted ? "sudo -n systemctl start" + units
                           : fmt::format("if pgrep -x -r D,R,S,T,t slirp4netns >/dev/null; then "
                                         "exit {}; fi; sudo -n systemctl stop{}",
                                         held, units);
    SshSession session({ssh.host, ssh.port, config.ssh.username, config.ssh.identity_path,
                        config.ssh.host_key_fingerprint, config.name},
                       std::chrono::seconds(30));
    if (!mounted) // first: a kill once they are unmounted leaves the mark
        platform::write_file_atomically(mark(layout), "");
    auto status = session.exec(command, -1, -1, -1);
    if ((status == 0 && mounted) || status == held)
        fs::remove(mark(layout));
    if (status == held)
        throw WrongState(fmt::format("machine \"{}\" has host folders, and a running container's "
                                     "network (slirp4netns) holds them: QEMU cannot save it so",
                                     config.name),
                         "stop the containers with a network, or `machine stop` it instead");
    if (status != 0)
        throw WrongState(fmt::format("machine \"{}\": its host folders could not be {} in the "
                                     "guest",
                                     config.name, mounted ? "mounted again" : "unmounted"),
                         mounted ? "`machine stop` and `machine start` it"
                                 : "stop what uses them, or `machine stop` it instead");
}

} // namespace machine
