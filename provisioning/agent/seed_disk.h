#pragma once
// A seed disk: an ISO 9660 image labelled `ignition` (holding config.ign) or `cidata` (whose
// user-data is an Ignition config), attached read-only by a provider that has no better way to
// hand the config over. Found by reading each block device's volume label, so no udev rule has to
// have run yet.
#include "provisioning/agent/files.h"

#include <optional>
#include <string>

namespace machine::agent {

struct SeedDisk {
    std::filesystem::path device; // /dev/vdb, /dev/sr0...
    std::string label;            // "ignition" or "cidata", as found (lower case)
};

// The ISO 9660 volume label of `device` (its primary volume descriptor), lower case; nullopt
// when it is not ISO 9660 or cannot be read.
std::optional<std::string> iso9660_label(const std::filesystem::path &device);

// The first block device (by /sys/class/block) labelled ignition or cidata.
std::optional<SeedDisk> find_seed_disk(const Root &root);

// Mounts the disk read-only for a moment and reads its config: config.ign on an `ignition`
// disk, user-data on a `cidata` one when it is Ignition (JSON) rather than cloud-config.
// nullopt when there is none. Throws SystemError when it cannot be mounted.
std::optional<std::string> read_seed_config(const SeedDisk &disk);

} // namespace machine::agent
