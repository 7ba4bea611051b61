#pragma once
// A file written under a temporary name in the folder it is meant for, and renamed into place
// only when complete: a crash, an error or a full disk never leaves a half-written file under
// its real name, and an uncommitted file is removed when the object dies.
#include "platform/unix_socket.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

namespace machine::platform {

class StagedFile {
public:
    // Creates "<dir>/partial-<pid>-XXXXXX" (mode 0600).
    explicit StagedFile(const std::filesystem::path &dir);
    ~StagedFile();
    StagedFile(const StagedFile &) = delete;
    StagedFile &operator=(const StagedFile &) = delete;

    const std::filesystem::path &path() const { return path_; }
    int fd() const { return fd_.get(); }

    // Appends; throws SystemError naming the folder (e.g. "No space left on device").
    void write(const void *data, std::size_t size);

    // Fills the (empty) file with `source`'s contents: a reflink (instant, sharing the blocks
    // until either side is written) where the filesystem can, else a copy; never a hard link.
    // `seen`, if set, gets every block of what the file now holds, read back from it after a
    // reflink. Throws SystemError.
    void fill_from(const std::filesystem::path &source,
                   const std::function<void(const char *, std::size_t)> &seen);

    // Flushes, sets `mode`, and renames the file to `target` (in the same folder), replacing
    // what is there. Afterwards the object no longer owns a file.
    void commit(const std::filesystem::path &target, unsigned mode);

private:
    std::filesystem::path dir_;
    std::filesystem::path path_;
    Fd fd_;
};

// "partial-<pid>-<6 hex digits of unique>".
std::string staged_file_name(int pid, unsigned unique);

// The pid in a staged file's name ("partial-<pid>-..."), or 0 when `name` is not one.
int staged_file_owner(const std::string &name);

} // namespace machine::platform
