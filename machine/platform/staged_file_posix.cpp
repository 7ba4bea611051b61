#include "platform/staged_file.h"

#include "machine/errors.h"

#include <cerrno>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#ifdef __linux__
#include <linux/fs.h>
#include <sys/ioctl.h>
#endif

namespace machine::platform {

namespace {

constexpr std::size_t block_size = 1 << 20;

} // namespace

StagedFile::StagedFile(const std::filesystem::path &dir) : dir_(dir) {
    auto pattern = (dir / staged_file_name(int(::getpid()), 0)).string();
    pattern.replace(pattern.size() - 6, 6, "XXXXXX");
    fd_ = Fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd_)
        throw SystemError("cannot create a file in " + dir.string(), errno);
    path_ = pattern;
}

StagedFile::~StagedFile() {
    if (!path_.empty())
        ::unlink(path_.c_str());
}

void StagedFile::write(const void *data, std::size_t size) {
    const char *bytes = static_cast<const char *>(data);
    while (size > 0) {
        auto n = ::write(fd_.get(), bytes, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw SystemError("cannot write to " + dir_.string(), errno);
        bytes += n;
        size -= std::size_t(n);
    }
}

void StagedFile::fill_from(const std::filesystem::path &source,
                           const std::function<void(const char *, std::size_t)> &seen) {
    Fd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in)
        throw SystemError("cannot read " + source.string(), errno);
    bool cloned = false;
#ifdef FICLONE
    cloned = ::ioctl(fd_.get(), FICLONE, in.get()) == 0;
#endif
    if (cloned && !seen)
        return;
    int from = cloned ? fd_.get() : in.get();
    std::vector<char> buffer(block_size);
    for (off_t offset = 0;;) {
        auto n = ::pread(from, buffer.data(), buffer.size(), offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw SystemError("cannot read " + source.string(), errno);
        if (n == 0)
            return;
        if (!cloned)
            write(buffer.data(), std::size_t(n));
        if (seen)
            seen(buffer.data(), std::size_t(n));
        offset += n;
    }
}

void StagedFile::commit(const std::filesystem::path &target, unsigned mode) {
    if (::fsync(fd_.get()) != 0)
        throw SystemError("cannot write to " + dir_.string(), errno);
    if (::fchmod(fd_.get(), mode) != 0)
        throw SystemError("cannot set the mode of " + path_.string(), errno);
    if (::rename(path_.c_str(), target.c_str()) != 0)
        throw SystemError("cannot rename " + path_.string() + " to " + target.string(), errno);
    path_.clear();
    fd_ = Fd();
    Fd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir)
        ::fsync(dir.get());
}

} // namespace machine::platform
