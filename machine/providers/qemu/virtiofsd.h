#pragma once
// Host folders over virtiofs for QEMU: one virtiofsd per folder, serving a vhost-user socket that
// QEMU connects to (vhost-user-fs-pci). virtiofsd leaves by itself when QEMU closes the socket.
#include "machine/command.h"
#include "machine/volume.h"

#include <filesystem>
#include <string>
#include <vector>

namespace machine {

// The virtiofsd this host has and this user may run, or an empty path. QEMU's own (Debian 12:
// /usr/lib/qemu/virtiofsd, from qemu-system-common) and the Rust one (/usr/libexec/virtiofsd)
// sandbox themselves in namespaces of their own, which only root may make: for anyone else
// folders go over 9p.
std::filesystem::path usable_virtiofsd();

// How one folder is served: foreground (we keep its pid), the socket QEMU will connect to, the
// guest's own file modes (root on the host may create any owner's files, as the guest asks).
Command virtiofsd_command(const std::filesystem::path &program, const std::filesystem::path &socket,
                          const Mount &mount);

struct VirtiofsdFiles {
    std::filesystem::path socket, pid, log;
};

// The virtiofsd processes of one start: ended when this goes out of scope unless kept (QEMU
// started), so a failed start leaves none waiting for a QEMU that will not come.
class VirtiofsdGroup {
public:
    VirtiofsdGroup() = default;
    VirtiofsdGroup(VirtiofsdGroup &&other) noexcept : pids_(std::move(other.pids_)) {
        other.pids_.clear();
    }
    VirtiofsdGroup &operator=(VirtiofsdGroup &&) = delete;
    ~VirtiofsdGroup();
    void add(int pid) { pids_.push_back(pid); }
    void keep() { pids_.clear(); }

private:
    std::vector<int> pids_;
};

// Starts one virtiofsd per mount and returns once each one's socket is there, so QEMU finds it.
// A virtiofsd an earlier start left waiting (its QEMU never came) is ended first. Throws
// HostNotReady without virtiofsd, ProcessFailed (with its log) when one exits early.
VirtiofsdGroup start_virtiofsd(const std::vector<Mount> &mounts,
                               const std::vector<VirtiofsdFiles> &files);

} // namespace machine
