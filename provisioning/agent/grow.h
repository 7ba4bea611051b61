#pragma once
// Grows the root filesystem to its disk: `machine init --disk-size` makes the disk bigger than
// the image's filesystem, and `machine set --disk-size` grows it later. Online, with resize2fs,
// when the root is ext2/3/4 on a whole disk (our image: ext4 on /dev/vda, no partition table).
// A partition is skipped: growpart is not in the image. Cheap when there is nothing to do: the
// superblock is compared with the disk size before anything runs.
#include "provisioning/agent/system.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace machine::agent {

struct RootMount {
    unsigned major = 0;
    unsigned minor = 0;
    std::string source; // as mounted: "/dev/vda", or "/dev/root" for root= on the command line
    std::string fstype;
};

// The mount on "/" in /proc/self/mountinfo text (the last one, if "/" is mounted over).
std::optional<RootMount> root_mount(std::string_view mountinfo);

struct ExtSize {
    std::uint64_t blocks = 0;
    std::uint64_t block_size = 0;
    std::uint64_t bytes() const { return blocks * block_size; }
};

// The size an ext2/3/4 superblock records (the 1024 bytes at offset 1024 of the device);
// nullopt when the bytes are not an ext superblock.
std::optional<ExtSize> ext_superblock_size(std::string_view superblock);

// True when the disk has room for at least one more block.
bool needs_grow(const ExtSize &filesystem, std::uint64_t device_bytes);

// Reads /proc/self/mountinfo and /sys, and runs resize2fs through `system` when the root
// filesystem is smaller than its whole disk. Returns what it did or why not, for the log.
std::string grow_root_filesystem(System &system);

} // namespace machine::agent
