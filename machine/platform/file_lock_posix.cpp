#include "platform/file_lock.h"

#include "machine/errors.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace machine::platform {

namespace {

int open_lock_file(const std::filesystem::path &path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        throw SystemError("cannot open lock " + path.string(), errno);
    return fd;
}

} // namespace

FileLock FileLock::acquire(const std::filesystem::path &path) {
    int fd = open_lock_file(path);
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int saved = errno;
            ::close(fd);
            throw SystemError("cannot lock " + path.string(), saved);
        }
    }
    return FileLock(fd);
}

FileLock FileLock::try_acquire(const std::filesystem::path &path) {
    int fd = open_lock_file(path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return FileLock(-1);
    }
    return FileLock(fd);
}

FileLock::FileLock(FileLock &&other) noexcept : fd_(other.fd_) {
    other.fd_ = -1;
}

FileLock::~FileLock() {
    if (fd_ >= 0)
        ::close(fd_);
}

} // namespace machine::platform
