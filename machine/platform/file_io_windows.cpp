#include "platform/file_io.h"

#include "machine/errors.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>

// C runtime descriptors (FdKind::file), opened binary and not inherited by children. Windows has
// no mode bits beyond read-only: a file is as private as its folder's ACL (see atomic_file).
namespace machine::platform {

Fd open_for_reading(const std::filesystem::path &path) {
    Fd fd(::_wopen(path.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT), FdKind::file);
    if (!fd)
        throw SystemError("cannot read " + path.string(), errno);
    return fd;
}

Fd create_with_mode(const std::filesystem::path &path, unsigned) {
    Fd fd(::_wopen(path.c_str(), _O_WRONLY | _O_CREAT | _O_TRUNC | _O_BINARY | _O_NOINHERIT,
                   _S_IREAD | _S_IWRITE),
          FdKind::file);
    if (!fd)
        throw SystemError("cannot write " + path.string(), errno);
    return fd;
}

OpenFileInfo file_info(int fd) {
    struct _stat64 st {};
    if (::_fstat64(fd, &st) != 0)
        throw SystemError("cannot inspect an open file", errno);
    return {std::uint64_t(st.st_size), unsigned(st.st_mode & 0777)};
}

void set_mode(int, unsigned) {}

std::size_t read_some(int fd, char *buffer, std::size_t size) {
    auto n = ::_read(fd, buffer, unsigned(std::min<std::size_t>(size, 1 << 30)));
    if (n < 0)
        throw SystemError("cannot read", errno);
    return std::size_t(n);
}

bool write_fully(int fd, const char *data, std::size_t size) {
    while (size > 0) {
        auto n = ::_write(fd, data, unsigned(std::min<std::size_t>(size, 1 << 30)));
        if (n <= 0)
            return false;
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

void flush_to_disk(int fd) {
    if (::_commit(fd) != 0)
        throw SystemError("cannot flush a file to the disk", errno);
}

} // namespace machine::platform
