#pragma once
// Host writes shown to the guest's file watchers. A file written on the host in a shared folder
// (virtiofs, 9p) changes under the guest without its kernel seeing a write, so no inotify watcher
// in the guest (a dev server's hot reload in a container) hears of it. The host's forwarder names
// each such file in a CHANGED frame (docs/mux-protocol.md), and the agent makes the guest's kernel
// see it: the file is opened for writing and closed, which raises IN_CLOSE_WRITE for watchers of
// the file and of its folder without changing a byte or a time stamp of it on the host.
#include "provisioning/agent/files.h"
#include "provisioning/agent/log.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace machine::agent {

// The file system type of mount `mount_id` in /proc/self/mountinfo's text ("9p", "virtiofs"...).
// Pure. (statfs cannot tell: over 9p it reports the host's file system.)
std::optional<std::string> mount_type(std::string_view mountinfo, std::uint64_t mount_id);

// Whether a file system type is one a host shares folders over.
bool is_shared_folder_type(std::string_view type);

// Shows the change of `guest_path` to the watchers. Only a regular file on a shared folder is
// touched, reached without following a symbolic link (a link a container made cannot point it
// elsewhere). Returns whether it was shown; a file gone, read-only or not shared is skipped.
bool show_host_change(const Root &root, const std::string &guest_path, const Log &log);

} // namespace machine::agent
