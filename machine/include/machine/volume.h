#pragma once
// A host folder shared into the guest: `--volume HOST:GUEST[:ro]`.
#include <string>
#include <string_view>

namespace machine {

struct Mount {
    std::string host_path;
    std::string guest_path;
    bool read_only = false;

    bool operator==(const Mount &) const = default;
};

// Parses "HOST[:GUEST][:ro|:rw]"; GUEST defaults to HOST. Both paths must be absolute and free
// of "..". Throws InvalidInput("--volume"). Does not look at the file system.
Mount parse_volume(std::string_view spec);

// Throws InvalidInput("--volume") unless the host path is an existing folder.
void check_volume_host_path(const Mount &mount);

} // namespace machine
