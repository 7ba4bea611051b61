#include "platform/atomic_file.h"

#include "machine/errors.h"
#include "platform/unix_socket.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace machine::platform {

namespace {

void fsync_dir(const std::filesystem::path &dir) {
    Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC), FdKind::file);
    if (d)
        ::fsync(d.get());
}

} // namespace

void write_file_atomically(const std::filesystem::path &path, const std::string &contents,
                           unsigned mode) {
    auto temp = path;
    temp += ".tmp-" + std::to_string(::getpid());
    {
        Fd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode),
               FdKind::file);
        if (!out)
            throw SystemError("cannot create " + temp.string(), errno);
        auto fail = [&](const char *what) {
            int saved = errno;
            ::unlink(temp.c_str());
            throw SystemError(std::string(what) + " " + temp.string(), saved);
        };
        if (::fchmod(out.get(), mode) != 0) // the umask must not loosen or tighten the mode
            fail("cannot set the mode of");
        std::size_t written = 0;
        while (written < contents.size()) {
            auto n = ::write(out.get(), contents.data() + written, contents.size() - written);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                fail("cannot write");
            written += std::size_t(n);
        }
        if (::fsync(out.get()) != 0)
            fail("cannot flush");
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        int saved = errno;
        ::unlink(temp.c_str());
        throw SystemError("cannot replace " + path.string(), saved);
    }
    fsync_dir(path.parent_path());
}

bool check_private_dir(const std::filesystem::path &dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return false;
        throw SystemError("cannot inspect " + dir.string(), errno);
    }
    if (!S_ISDIR(st.st_mode))
        throw HostNotReady(dir.string() + " is not a folder (a symlink?); refusing to use it",
                           "remove it and try again");
    if (st.st_uid != ::geteuid())
        throw HostNotReady(dir.string() + " is owned by another user; refusing to use it",
                           "remove it or point XDG dirs elsewhere");
    return true;
}

void make_private_dir(const std::filesystem::path &dir, unsigned mode) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw SystemError("cannot create " + dir.string(), ec.value());
    if (!check_private_dir(dir))
        throw SystemError("cannot create " + dir.string(), ENOENT);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 ||
        ((st.st_mode & 07777) != mode && ::chmod(dir.c_str(), mode) != 0))
        throw SystemError("cannot set the mode of " + dir.string(), errno);
}

} // namespace machine::platform
