#include "platform/file_identity.h"

#include "machine/errors.h"

#include <cerrno>
#include <sys/stat.h>

namespace machine::platform {

namespace {

FileIdentity identity_of(const struct stat &st) {
#ifdef __APPLE__
    const auto &mtime = st.st_mtimespec;
#else
    const auto &mtime = st.st_mtim;
#endif
    return {std::uint64_t(st.st_dev), std::uint64_t(st.st_ino), std::uint64_t(st.st_size),
            std::int64_t(mtime.tv_sec) * 1'000'000'000 + mtime.tv_nsec};
}

} // namespace

FileIdentity file_identity(const std::filesystem::path &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw SystemError("cannot inspect " + path.string(), errno);
    return identity_of(st);
}

std::optional<FileIdentity> try_file_identity(const std::filesystem::path &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return std::nullopt;
    return identity_of(st);
}

FileIdentity file_identity(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw SystemError("cannot inspect an open file", errno);
    return identity_of(st);
}

} // namespace machine::platform
