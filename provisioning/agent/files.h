#pragma once
// Filesystem primitives for the apply layer: a root prefix that maps the guest's paths ("/" in
// the guest, a temporary folder in tests), and writes that are atomic (temp file + rename) so a
// power cut mid-boot leaves either the old file or the new one. POSIX calls only; failures
// throw SystemError naming the path.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>
#include <vector>

namespace machine::agent {

// Maps absolute guest paths into a prefix. With a prefix other than "/", absolute symlinks
// already inside it are not followed back into it: tests build their trees without them.
class Root {
public:
    explicit Root(std::filesystem::path dir = "/");
    // `guest_path` is absolute: "/etc/hostname" -> DIR/etc/hostname.
    std::filesystem::path host(std::string_view guest_path) const;
    // The inverse, for messages: DIR/etc/hostname -> "/etc/hostname".
    std::string guest(const std::filesystem::path &host_path) const;
    const std::filesystem::path &dir() const { return dir_; }
    bool is_system_root() const { return dir_ == "/"; }

private:
    std::filesystem::path dir_;
};

struct Ownership {
    uid_t uid = 0;
    gid_t gid = 0;
    bool operator==(const Ownership &) const = default;
};

// lstat (or stat with `follow`); nullopt when nothing is there.
std::optional<struct stat> stat_path(const std::filesystem::path &path, bool follow = false);

// The whole file; nullopt when it does not exist.
std::optional<std::string> read_file(const std::filesystem::path &path);

// Writes all of `data` to `fd`; `path` names it in the error. Throws SystemError.
void write_all(int fd, std::string_view data, const std::filesystem::path &path);

// The symlink's target; nullopt when `path` is missing or not a symlink.
std::optional<std::string> link_target(const std::filesystem::path &path);

// Writes a temp file beside `path`, sets its mode (and owner, when given), fsyncs it and renames
// it over `path` (replacing a file or a symlink; never following one).
void write_atomically(const std::filesystem::path &path, std::string_view contents, unsigned mode,
                      std::optional<Ownership> owner);

// Replaces whatever non-directory is at `path` with a symlink to `target`, in one rename.
void symlink_atomically(const std::string &target, const std::filesystem::path &path);

// Replaces whatever non-directory is at `path` with a hard link to `existing`.
void hardlink_atomically(const std::filesystem::path &existing, const std::filesystem::path &path);

// Creates the missing parents of `path` (0755, owned by whoever runs this); returns them,
// outermost first.
std::vector<std::filesystem::path> make_parents(const std::filesystem::path &path);

// mkdir, then chmod, so the umask cannot narrow `mode`.
void make_directory(const std::filesystem::path &path, unsigned mode);

void change_mode(const std::filesystem::path &path, unsigned mode);

// chown, or lchown for a symlink itself.
void change_owner(const std::filesystem::path &path, Ownership owner, bool symlink = false);

// unlink; a missing file is not an error.
void remove_file(const std::filesystem::path &path);

} // namespace machine::agent
