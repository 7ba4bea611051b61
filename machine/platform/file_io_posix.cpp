#include "platform/file_io.h"

#include "machine/errors.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace machine::platform {

Fd open_for_reading(const std::filesystem::path &path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        throw SystemError("cannot read " + path.string(), errno);
    return fd;
}

Fd create_with_mode(const std::filesystem::path &path, unsigned mode) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd)
        throw SystemError("cannot write " + path.string(), errno);
    return fd;
}

OpenFileInfo file_info(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw SystemError("cannot inspect an open file", errno);
    return {std::uint64_t(st.st_size), unsigned(st.st_mode & 07777)};
}

void set_mode(int fd, unsigned mode) {
    if (::fchmod(fd, mode) != 0)
        throw SystemError("cannot set a file's mode", errno);
}

std::size_t read_some(int fd, char *buffer, std::size_t size) {
    for (;;) {
        auto n = ::read(fd, buffer, size);
        if (n >= 0)
            return std::size_t(n);
        if (errno != EINTR)
            throw SystemError("cannot read", errno);
    }
}

bool write_fully(int fd, const char *data, std::size_t size) {
    while (size > 0) {
        auto n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

void flush_to_disk(int fd) {
    if (::fsync(fd) != 0)
        throw SystemError("cannot flush a file to the disk", errno);
}

} // namespace machine::platform
