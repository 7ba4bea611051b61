#include "platform/staged_file.h"

#include "machine/errors.h"
#include "platform/windows_error.h"

#include <fcntl.h>
#include <io.h>
#include <random>
#include <vector>

namespace machine::platform {

namespace {

HANDLE handle_of(const Fd &fd) {
    return HANDLE(_get_osfhandle(fd.get()));
}

} // namespace

StagedFile::StagedFile(const std::filesystem::path &dir) : dir_(dir) {
    // A name of its own, made with CREATE_NEW so another's file is never taken over.
    std::random_device random;
    for (int attempt = 0; !fd_; ++attempt) {
        auto name = staged_file_name(int(GetCurrentProcessId()), random());
        WinHandle file(CreateFileW((dir / name).c_str(), GENERIC_READ | GENERIC_WRITE,
                                   FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr, CREATE_NEW,
                                   FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!file) {
            DWORD code = GetLastError();
            if (code == ERROR_FILE_EXISTS && attempt < 100)
                continue;
            throw_windows_error("cannot create a file in " + dir.string(), code);
        }
        fd_ = Fd(::_open_osfhandle(intptr_t(file.get()), _O_RDWR | _O_BINARY), FdKind::file);
        if (!fd_)
            throw SystemError("cannot create a file in " + dir.string(), errno);
        file.release();
        path_ = dir / name;
    }
}

StagedFile::~StagedFile() {
    if (!path_.empty()) {
        fd_ = Fd(); // Windows deletes an open file only once it is closed
        DeleteFileW(path_.c_str());
    }
}

void StagedFile::write(const void *data, std::size_t size) {
    const char *bytes = static_cast<const char *>(data);
    while (size > 0) {
        DWORD n = 0;
        if (!WriteFile(handle_of(fd_), bytes, DWORD(std::min<std::size_t>(size, 1 << 30)), &n,
                       nullptr))
            throw_windows_error("cannot write to " + dir_.string(), GetLastError());
        bytes += n;
        size -= n;
    }
}

// Windows has block cloning only on ReFS: a copy, read as it is written.
void StagedFile::fill_from(const std::filesystem::path &source,
                           const std::function<void(const char *, std::size_t)> &seen) {
    WinHandle in(CreateFileW(source.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                             FILE_FLAG_SEQUENTIAL_SCAN, nullptr));
    if (!in)
        throw_windows_error("cannot read " + source.string(), GetLastError());
    std::vector<char> buffer(1 << 20);
    for (;;) {
        DWORD n = 0;
        if (!ReadFile(in.get(), buffer.data(), DWORD(buffer.size()), &n, nullptr))
            throw_windows_error("cannot read " + source.string(), GetLastError());
        if (n == 0)
            return;
        write(buffer.data(), n);
        if (seen)
            seen(buffer.data(), n);
    }
}

void StagedFile::commit(const std::filesystem::path &target, unsigned) {
    if (!FlushFileBuffers(handle_of(fd_)))
        throw_windows_error("cannot write to " + dir_.string(), GetLastError());
    fd_ = Fd(); // an open file cannot be renamed over another
    if (!MoveFileExW(path_.c_str(), target.c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        throw_windows_error("cannot rename " + path_.string() + " to " + target.string(),
                            GetLastError());
    path_.clear();
}

} // namespace machine::platform
