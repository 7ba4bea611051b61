#include "platform/atomic_file.h"

#include "machine/errors.h"
#include "platform/windows_error.h"

#include <algorithm>

// Windows has no mode bits: a file is as private as its folder's ACL, and the store's folders are
// under the user's profile (%APPDATA%, %LOCALAPPDATA%), which only the user, SYSTEM and the
// administrators may open. So `mode` is not applied here.
namespace machine::platform {

void write_file_atomically(const std::filesystem::path &path, const std::string &contents,
                           unsigned) {
    auto temp = path;
    temp += L".tmp-" + std::to_wstring(GetCurrentProcessId());
    {
        WinHandle out(CreateFileW(temp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                  FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!out)
            throw_windows_error("cannot create " + temp.string(), GetLastError());
        auto fail = [&](const char *what) {
            DWORD code = GetLastError();
            out.reset();
            DeleteFileW(temp.c_str());
            throw_windows_error(std::string(what) + " " + temp.string(), code);
        };
        for (std::size_t written = 0; written < contents.size();) {
            DWORD n = 0;
            if (!WriteFile(out.get(), contents.data() + written,
                           DWORD(std::min<std::size_t>(contents.size() - written, 1 << 30)), &n,
                           nullptr))
                fail("cannot write");
            written += n;
        }
        if (!FlushFileBuffers(out.get()))
            fail("cannot flush");
    }
    // Replaces `path` in one step, and is on disk when it returns.
    if (!MoveFileExW(temp.c_str(), path.c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        DWORD code = GetLastError();
        DeleteFileW(temp.c_str());
        throw_windows_error("cannot replace " + path.string(), code);
    }
}

bool check_private_dir(const std::filesystem::path &dir) {
    DWORD attributes = GetFileAttributesW(dir.c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) {
        DWORD code = GetLastError();
        if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
            return false;
        throw_windows_error("cannot inspect " + dir.string(), code);
    }
    // A junction or symbolic link could lead anywhere.
    if (!(attributes & FILE_ATTRIBUTE_DIRECTORY) || (attributes & FILE_ATTRIBUTE_REPARSE_POINT))
        throw HostNotReady(dir.string() + " is not a folder (a link?); refusing to use it",
                           "remove it and try again");
    return true;
}

void make_private_dir(const std::filesystem::path &dir, unsigned) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw SystemError("cannot create " + dir.string(), ec.value(), ec.message());
    if (!check_private_dir(dir))
        throw SystemError("cannot create " + dir.string(), ENOENT);
}

} // namespace machine::platform
