#pragma once
// Host writes shown to the guest's file watchers. A file written on the host in a shared folder
// (virtiofs, 9p) changes under the guest without its kernel seeing a write, so no inotify watcher
// in the guest (a dev server's hot reload in a container) hears of it. The host's forwarder names
// each such file in a CHANGED frame (docs/mux-protocol.md), and the agent makes the guest's kernel
// see it: the file is opened for writing and closed, which raises IN_CLOSE_WRITE for watchers of
// the file and of its folder without changing a byte or a time stamp of it on the host.
#include "provisioning/agent/files.h"
#include "provisioning/agent/log.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace machine::agent {

// The file system type of mount `mount_id` in /proc/self/mountinfo's text ("9p", "virtiofs"...).
// Pure. (statfs cannot tell: over 9p it reports the host's file system.)
std::optional<std::string> mount_type(std::string_view mountinfo, std::uint64_t mount_id);

// Whether a file system type is one a host shares folders over.
bool is_shared_folder_type(std::string_view type);

// Shows host changes to the watchers, remembering the mounts' types for a second: a burst names
// many files on the same few mounts. Not longer: a mount's id is reused once it is gone.
class HostChanges {
public:
    explicit HostChanges(const Root &root) : root_(root) {}

    // Shows the change of `guest_path`. Only a regular file on a shared folder is touched,
    // reached without following a symbolic link (a link a container made cannot point it
    // elsewhere). Returns whether it was shown; a file gone, read-only or not shared is skipped.
    bool show(const std::string &guest_path, const Log &log);

private:
    std::optional<std::string> type_of(std::uint64_t mount_id);

    const Root &root_;
    std::map<std::uint64_t, std::string> mount_types_;
    std::chrono::steady_clock::time_point read_at_;
};

} // namespace machine::agent
