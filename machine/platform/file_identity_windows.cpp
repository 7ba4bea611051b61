#include "platform/file_identity.h"

#include "machine/errors.h"
#include "platform/windows_error.h"

#include <io.h>

namespace machine::platform {

namespace {

// The volume's serial number and the file's index are Windows' device and inode; the last write
// time counts 100 ns from 1601.
std::optional<FileIdentity> identity_of(HANDLE file) {
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(file, &info))
        return std::nullopt;
    auto join = [](DWORD high, DWORD low) { return std::uint64_t(high) << 32 | low; };
    constexpr std::int64_t from_1601_to_1970 = 116'444'736'000'000'000;
    auto written =
        std::int64_t(join(info.ftLastWriteTime.dwHighDateTime, info.ftLastWriteTime.dwLowDateTime));
    return FileIdentity{info.dwVolumeSerialNumber, join(info.nFileIndexHigh, info.nFileIndexLow),
                        join(info.nFileSizeHigh, info.nFileSizeLow),
                        (written - from_1601_to_1970) * 100};
}

WinHandle open_attributes(const std::filesystem::path &path) {
    // Backup semantics: folders open too.
    return WinHandle(CreateFileW(path.c_str(), FILE_READ_ATTRIBUTES,
                                 FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                 OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
}

} // namespace

FileIdentity file_identity(const std::filesystem::path &path) {
    auto file = open_attributes(path);
    auto identity = file ? identity_of(file.get()) : std::nullopt;
    if (!identity)
        throw_windows_error("cannot inspect " + path.string(), GetLastError());
    return *identity;
}

std::optional<FileIdentity> try_file_identity(const std::filesystem::path &path) {
    auto file = open_attributes(path);
    return file ? identity_of(file.get()) : std::nullopt;
}

FileIdentity file_identity(int fd) {
    auto identity = identity_of(HANDLE(_get_osfhandle(fd)));
    if (!identity)
        throw_windows_error("cannot inspect an open file", GetLastError());
    return *identity;
}

} // namespace machine::platform
