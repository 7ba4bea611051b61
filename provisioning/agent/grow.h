#pragma once
// Grows the root filesystem to its disk: `machine init --disk-size` makes the disk bigger than
// the image, and `machine set --disk-size` grows it later. Online: when the root is a GPT
// partition (our image: the last one) with room after it, sfdisk moves the backup GPT to the
// disk's new end and extends the partition, partx tells the kernel; then resize2fs grows the
// ext2/3/4 filesystem (also on a whole disk with no partition table). Cheap when there is nothing
// to do: the partition table and the superblock are compared with the disk before anything runs.
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

// Where a partition lies on its disk, in 512-byte sectors (from /sys/dev/block/M:m).
struct PartitionPlace {
    std::string disk; // "/dev/vda"
    bool gpt = false; // only a GPT disk's last partition is grown
    unsigned number = 0;
    std::uint64_t start = 0, sectors = 0, disk_sectors = 0;
};

// True on a GPT disk when at least 1 MiB would be gained: the disk grew under the partition. The
// last 33 sectors of a GPT disk hold the backup table.
bool partition_can_grow(const PartitionPlace &place);

// What grows the partition to the disk's end, in order: the argv and its stdin.
struct GrowStep {
    Argv argv;
    std::string input;
};
std::vector<GrowStep> partition_grow_steps(const PartitionPlace &place);

// Reads /proc/self/mountinfo and /sys, grows the root partition when it can, and runs resize2fs
// through `system` when the root filesystem is smaller than its device. Returns what it did or why
// not, for the log.
std::string grow_root_filesystem(System &system);

} // namespace machine::agent
