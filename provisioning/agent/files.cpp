#include "provisioning/agent/files.h"

#include "provisioning/agent/errors.h"
#include "provisioning/agent/unique_fd.h"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace machine::agent {

namespace fs = std::filesystem;

namespace {

constexpr unsigned parent_mode = 0755;

// Removes the temp file unless the rename that publishes it happened.
class TempPath {
public:
    explicit TempPath(fs::path path) : path_(std::move(path)) {}
    TempPath(const TempPath &) = delete;
    TempPath &operator=(const TempPath &) = delete;
    ~TempPath() {
        if (!path_.empty())
            ::unlink(path_.c_str());
    }
    const fs::path &path() const { return path_; }
    void commit_to(const fs::path &destination) {
        if (::rename(path_.c_str(), destination.c_str()) != 0)
            throw SystemError("cannot rename " + path_.string() + " to " + destination.string(),
                              errno);
        path_.clear();
    }

private:
    fs::path path_;
};

// A fresh name beside `path` for a symlink or link that is then renamed into place.
fs::path sibling_name(const fs::path &path) {
    static std::atomic<unsigned> counter{0};
    return path.parent_path() / ("." + path.filename().string() + ".agent-" +
                                 std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

// Makes a rename in `directory` durable.
void sync_directory(const fs::path &directory) {
    UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd)
        ::fsync(fd.get());
}

} // namespace

void write_all(int fd, std::string_view data, const fs::path &path) {
    while (!data.empty()) {
        auto written = ::write(fd, data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR)
                continue;
            throw SystemError("cannot write " + path.string(), errno);
        }
        data.remove_prefix(static_cast<std::size_t>(written));
    }
}

Root::Root(fs::path dir) : dir_(std::move(dir)) {
    if (dir_.empty())
        dir_ = "/";
}

fs::path Root::host(std::string_view guest_path) const {
    while (!guest_path.empty() && guest_path.front() == '/')
        guest_path.remove_prefix(1);
    return guest_path.empty() ? dir_ : dir_ / guest_path;
}

std::string Root::guest(const fs::path &host_path) const {
    if (is_system_root())
        return host_path.string();
    auto relative = host_path.lexically_relative(dir_);
    if (relative.empty() || *relative.begin() == "..")
        return host_path.string();
    return relative == "." ? "/" : "/" + relative.string();
}

std::optional<struct stat> stat_path(const fs::path &path, bool follow) {
    struct stat st {};
    int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
    if (rc == 0)
        return st;
    if (errno == ENOENT || errno == ENOTDIR)
        return std::nullopt;
    throw SystemError("cannot stat " + path.string(), errno);
}

std::optional<std::string> read_file(const fs::path &path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) {
        if (errno == ENOENT)
            return std::nullopt;
        throw SystemError("cannot open " + path.string(), errno);
    }
    std::string contents;
    char buffer[65536];
    while (true) {
        auto got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throw SystemError("cannot read " + path.string(), errno);
        }
        if (got == 0)
            return contents;
        contents.append(buffer, static_cast<std::size_t>(got));
    }
}

std::optional<std::string> link_target(const fs::path &path) {
    char buffer[PATH_MAX];
    auto length = ::readlink(path.c_str(), buffer, sizeof buffer);
    if (length >= 0)
        return std::string(buffer, static_cast<std::size_t>(length));
    if (errno == ENOENT || errno == EINVAL || errno == ENOTDIR)
        return std::nullopt;
    throw SystemError("cannot read the link " + path.string(), errno);
}

void write_atomically(const fs::path &path, std::string_view contents, unsigned mode,
                      std::optional<Ownership> owner) {
    std::string pattern = (path.parent_path() / ("." + path.filename().string() + ".XXXXXX"));
    UniqueFd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd)
        throw SystemError("cannot create a temporary file beside " + path.string(), errno);
    TempPath temp(pattern);
    write_all(fd.get(), contents, path);
    if (owner && ::fchown(fd.get(), owner->uid, owner->gid) != 0)
        throw SystemError("cannot change the owner of " + path.string(), errno);
    // After fchown, which clears set-id bits.
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
        throw SystemError("cannot change the mode of " + path.string(), errno);
    if (::fsync(fd.get()) != 0)
        throw SystemError("cannot write " + path.string(), errno);
    fd.reset();
    temp.commit_to(path);
    sync_directory(path.parent_path());
}

void symlink_atomically(const std::string &target, const fs::path &path) {
    TempPath temp(sibling_name(path));
    if (::symlink(target.c_str(), temp.path().c_str()) != 0)
        throw SystemError("cannot create the symlink " + path.string(), errno);
    temp.commit_to(path);
}

void hardlink_atomically(const fs::path &existing, const fs::path &path) {
    TempPath temp(sibling_name(path));
    if (::link(existing.c_str(), temp.path().c_str()) != 0)
        throw SystemError("cannot link " + path.string() + " to " + existing.string(), errno);
    temp.commit_to(path);
}

std::vector<fs::path> make_parents(const fs::path &path) {
    std::vector<fs::path> missing;
    for (auto parent = path.parent_path(); !parent.empty() && parent != parent.root_path();
         parent = parent.parent_path()) {
        if (stat_path(parent, true))
            break;
        missing.push_back(parent);
    }
    std::vector<fs::path> created;
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        make_directory(*it, parent_mode);
        created.push_back(*it);
    }
    return created;
}

void make_directory(const fs::path &path, unsigned mode) {
    if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0)
        throw SystemError("cannot create the directory " + path.string(), errno);
    change_mode(path, mode);
}

void change_mode(const fs::path &path, unsigned mode) {
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0)
        throw SystemError("cannot change the mode of " + path.string(), errno);
}

void change_owner(const fs::path &path, Ownership owner, bool symlink) {
    int rc = symlink ? ::lchown(path.c_str(), owner.uid, owner.gid)
                     : ::chown(path.c_str(), owner.uid, owner.gid);
    if (rc != 0)
        throw SystemError("cannot change the owner of " + path.string(), errno);
}

void remove_file(const fs::path &path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        throw SystemError("cannot remove " + path.string(), errno);
}

} // namespace machine::agent
