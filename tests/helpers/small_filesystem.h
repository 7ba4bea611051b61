#pragma once
// A filesystem of a few KiB mounted over a test's folder, so that a write runs out of space for
// real (ENOSPC). Only Linux can do it here (tmpfs, as root): elsewhere, or without root, the
// test that wants one skips.
#include <filesystem>
#include <memory>

namespace machine::test {

// Unmounts when destroyed.
class SmallFilesystem {
public:
    virtual ~SmallFilesystem() = default;
};

// A filesystem of `kib` KiB over `folder`, or none when this host or user cannot make one.
std::unique_ptr<SmallFilesystem> mount_small_filesystem(const std::filesystem::path &folder,
                                                        int kib);

} // namespace machine::test
