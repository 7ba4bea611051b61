#include "provisioning/agent/host_changes.h"

#include "provisioning/agent/unique_fd.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace machine::agent {

namespace {

// The file, as a handle that can only be looked at: no symbolic link followed on the way.
UniqueFd open_path_only(const std::filesystem::path &path) {
    open_how how{};
    how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    return UniqueFd(int(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how)));
}

} // namespace

std::optional<std::string> mount_type(std::string_view mountinfo, std::uint64_t mount_id) {
    // "36 35 98:0 /root /mnt rw,noatime master:1 - ext4 /dev/vda2 rw": the id first, the type
    // after the " - " that ends the optional fields.
    std::istringstream lines{std::string(mountinfo)};
    for (std::string line; std::getline(lines, line);) {
        std::uint64_t id = 0;
        auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), id);
        auto separator = line.find(" - ");
        if (error != std::errc() || *end != ' ' || id != mount_id || separator == line.npos)
            continue;
        auto type = line.substr(separator + 3);
        return type.substr(0, type.find(' '));
    }
    return std::nullopt;
}

bool is_shared_folder_type(std::string_view type) {
    return type == "virtiofs" || type == "9p";
}

std::optional<std::string> HostChanges::type_of(std::uint64_t mount_id) {
    auto now = std::chrono::steady_clock::now();
    if (now - read_at_ > std::chrono::seconds(1))
        mount_types_.clear();
    if (auto known = mount_types_.find(mount_id); known != mount_types_.end())
        return known->second;
    auto mountinfo = read_file("/proc/self/mountinfo");
    auto type = mountinfo ? mount_type(*mountinfo, mount_id) : std::nullopt;
    if (type) {
        if (mount_types_.empty())
            read_at_ = now;
        mount_types_[mount_id] = *type;
    }
    return type;
}

bool HostChanges::show(const std::string &guest_path, const Log &log) {
    auto handle = open_path_only(root_.host(guest_path));
    if (!handle)
        return false; // gone already, or a link on the way
    // Asked afresh (AT_STATX_FORCE_SYNC): the guest may still hold the file's old size and times
    // (virtiofs keeps attributes for a second), and a watcher that reads the file once woken must
    // read all of the new content.
    struct statx info {};
    if (::statx(handle.get(), "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC,
                STATX_BASIC_STATS | STATX_MNT_ID, &info) != 0 ||
        !S_ISREG(info.stx_mode) || !(info.stx_mask & STATX_MNT_ID))
        return false;
    auto type = type_of(info.stx_mnt_id);
    if (!type || !is_shared_folder_type(*type))
        return false;
    // Reopened through the handle: the very file looked at, now for writing. No O_TRUNC, no
    // write: the file stays as the host left it.
    auto reopened = "/proc/self/fd/" + std::to_string(handle.get());
    UniqueFd file(::open(reopened.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!file) {
        if (errno != EROFS && errno != EACCES && errno != EPERM && errno != ENOENT)
            log.info("cannot show the host's change of " + guest_path + ": " +
                     std::strerror(errno));
        return false;
    }
    return true; // closing it raises IN_CLOSE_WRITE
}

} // namespace machine::agent
