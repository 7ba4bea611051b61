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

int wait_for_lock(const std::filesystem::path &path, int operation) {
    int fd = open_lock_file(path);
    while (::flock(fd, operation) != 0) {
        if (errno != EINTR) {
            int saved = errno;
            ::close(fd);
            throw SystemError("cannot lock " + path.string(), saved);
        }
    }
    return fd;
}

} // namespace

FileLock FileLock::acquire(const std::filesystem::path &path) {
    return FileLock(wait_for_lock(path, LOCK_EX));
}

FileLock FileLock::acquire_shared(const std::filesystem::path &path) {
    return FileLock(wait_for_lock(path, LOCK_SH));
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
