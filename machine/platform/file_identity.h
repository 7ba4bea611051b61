#pragma once
// What tells a file's contents apart without reading them: where it is (device, inode), how big
// it is, and when it was last written (to the nanosecond). Any write changes the last.
#include <cstdint>
#include <filesystem>
#include <optional>

namespace machine::platform {

struct FileIdentity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;

    bool operator==(const FileIdentity &) const = default;
};

// Follows symlinks. Throws SystemError when `path` cannot be inspected.
FileIdentity file_identity(const std::filesystem::path &path);
FileIdentity file_identity(int fd);
// The same, or nothing when `path` cannot be inspected (gone, say).
std::optional<FileIdentity> try_file_identity(const std::filesystem::path &path);

} // namespace machine::platform
