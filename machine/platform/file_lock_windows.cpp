#include "platform/file_lock.h"

#include "platform/windows_error.h"

#include <fcntl.h>
#include <io.h>

// LockFileEx on the lock file's first byte. The handle is kept as a C runtime descriptor (the
// header's int): closing it, or the process ending however it ends, releases the lock.
namespace machine::platform {

namespace {

int lock(const std::filesystem::path &path, DWORD flags) {
    WinHandle file(CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                               OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!file)
        throw_windows_error("cannot open lock " + path.string(), GetLastError());
    OVERLAPPED whole{};
    if (!LockFileEx(file.get(), flags, 0, 1, 0, &whole)) {
        DWORD code = GetLastError();
        if (code == ERROR_LOCK_VIOLATION && (flags & LOCKFILE_FAIL_IMMEDIATELY))
            return -1;
        throw_windows_error("cannot lock " + path.string(), code);
    }
    int fd = ::_open_osfhandle(intptr_t(file.get()), _O_RDWR);
    if (fd < 0)
        throw_windows_error("cannot keep lock " + path.string(), ERROR_TOO_MANY_OPEN_FILES);
    file.release(); // the descriptor owns it now
    return fd;
}

} // namespace

FileLock FileLock::acquire(const std::filesystem::path &path) {
    return FileLock(lock(path, LOCKFILE_EXCLUSIVE_LOCK));
}

FileLock FileLock::acquire_shared(const std::filesystem::path &path) {
    return FileLock(lock(path, 0));
}

FileLock FileLock::try_acquire(const std::filesystem::path &path) {
    return FileLock(lock(path, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY));
}

FileLock::FileLock(FileLock &&other) noexcept : fd_(other.fd_) {
    other.fd_ = -1;
}

FileLock::~FileLock() {
    if (fd_ >= 0)
        ::_close(fd_);
}

} // namespace machine::platform
