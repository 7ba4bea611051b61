#pragma once
// Plain files and pipes by descriptor, for copies that must keep a file's mode from its first
// byte, and for reading or writing whatever a descriptor is (a file, a pipe, a socket).
#include "platform/unix_socket.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace machine::platform {

// Throws SystemError when `path` cannot be opened.
Fd open_for_reading(const std::filesystem::path &path);
// Creates (or truncates) `path` for writing with `mode` from the start, so a private file is
// never readable by others meanwhile. Throws SystemError.
Fd create_with_mode(const std::filesystem::path &path, unsigned mode);

struct OpenFileInfo {
    std::uint64_t size = 0;
    unsigned mode = 0; // permission bits, 07777
};
OpenFileInfo file_info(int fd);
void set_mode(int fd, unsigned mode);

// Reads what is there, up to `size` bytes, retrying an interrupted read; 0 at the end. Throws
// SystemError.
std::size_t read_some(int fd, char *buffer, std::size_t size);

// Writes all of `data`; false when the reader went away first.
bool write_fully(int fd, const char *data, std::size_t size);

// Waits until what was written to the file is on the disk. Throws SystemError.
void flush_to_disk(int fd);

} // namespace machine::platform
