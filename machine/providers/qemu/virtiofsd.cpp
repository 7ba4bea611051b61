#include "providers/qemu/virtiofsd.h"

#include "machine/errors.h"
#include "platform/atomic_file.h"
#include "platform/host.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"
#include "platform/unix_socket.h"

#include <thread>

namespace machine {

using namespace std::chrono_literals;

std::filesystem::path usable_virtiofsd() {
    if (platform::host_os() != platform::HostOs::linux || platform::host_user_id() != 0)
        return {};
    for (std::filesystem::path candidate : {"/usr/libexec/virtiofsd", "/usr/lib/qemu/virtiofsd"})
        if (std::filesystem::exists(candidate))
            return candidate;
    return platform::find_program("virtiofsd");
}

Command virtiofsd_command(const std::filesystem::path &program, const std::filesystem::path &socket,
                          const Mount &mount) {
    // Both virtiofsd implementations read these spellings. cache=auto: what the host changes is
    // seen in the guest within a second. No read-only switch in QEMU's virtiofsd: a :ro folder
    // is mounted read-only by the guest (provisioning).
    Command c;
    c.program = program.string();
    c.args = {"--socket-path=" + socket.string(),
              "-o",
              "source=" + mount.host_path,
              "-o",
              "cache=auto",
              "-o",
              "xattr"};
    return c;
}

VirtiofsdGroup::~VirtiofsdGroup() {
    for (int pid : pids_)
        platform::kill_process(pid);
}

VirtiofsdGroup start_virtiofsd(const std::vector<Mount> &mounts,
                               const std::vector<VirtiofsdFiles> &files) {
    VirtiofsdGroup started;
    if (mounts.empty())
        return started;
    auto program = usable_virtiofsd();
    if (program.empty())
        throw HostNotReady("this machine shares folders over virtiofs, and no virtiofsd can run "
                           "here (it needs root)",
                           "run machine as root, install virtiofsd (Debian: qemu-system-common), "
                           "or `init` the machine again with --mount-type 9p");
    for (std::size_t i = 0; i < mounts.size(); ++i) {
        const auto &f = files.at(i);
        if (int old = platform::read_pid_file(f.pid);
            old > 0 &&
            platform::process_has_argument(old, "--socket-path=" + f.socket.string(), false))
            platform::kill_process(old);
        std::filesystem::remove(f.socket);
        auto command = virtiofsd_command(program, f.socket, mounts[i]);
        int pid = platform::spawn_detached(command, f.log);
        started.add(pid);
        platform::write_file_atomically(f.pid, std::to_string(pid) + "\n", 0600);
        auto deadline = platform::Clock::now() + 10s;
        while (!std::filesystem::exists(f.socket)) {
            if (!platform::child_running(pid))
                throw ProcessFailed(command.display(), 1, platform::read_file(f.log));
            if (platform::Clock::now() >= deadline)
                throw Timeout("virtiofsd did not make its socket within 10 s; see " +
                              f.log.string());
            std::this_thread::sleep_for(10ms);
        }
    }
    return started;
}

} // namespace machine
