#pragma once
// A host folder shared into the guest: `--volume HOST:GUEST[:ro]`.
#include <string>
#include <string_view>
#include <vector>

namespace machine {

struct Mount {
    std::string host_path;
    std::string guest_path;
    bool read_only = false;

    bool operator==(const Mount &) const = default;
};

// Parses "HOST[:GUEST][:ro|:rw]"; GUEST defaults to HOST. Both paths must be absolute, free of
// "..", and UTF-8 text without control characters (they go into the guest's JSON and unit
// files); GUEST must not be "/". Throws InvalidInput("--volume"). Does not look at the file system.
Mount parse_volume(std::string_view spec);

// Throws InvalidInput("--volume") if two mounts share a guest path ("/src" and "/src/" too).
void check_distinct_guest_paths(const std::vector<Mount> &mounts);

// Throws InvalidInput("--volume") unless the host path is an existing folder.
void check_volume_host_path(const Mount &mount);

// The tag the guest mounts a machine's `index`th shared folder by, on every share type (9p,
// virtiofs): "vol0", "vol1"... (virtiofs allows at most 36 bytes).
std::string mount_tag(std::size_t index);

} // namespace machine
