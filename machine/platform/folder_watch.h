#pragma once
// Folders watched, each with everything below it, for files whose content may have changed:
// written, created or moved in. inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on
// Windows. Only names are reported; whoever asks looks at the files (a name may be a folder, or
// gone again).
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace machine::platform {

class FolderWatch {
public:
    // Throws SystemError when a folder cannot be watched at all; one too large for the system's
    // limits is watched as far as they allow, and `limited()` says so.
    explicit FolderWatch(const std::vector<std::filesystem::path> &folders);
    ~FolderWatch();
    FolderWatch(const FolderWatch &) = delete;
    FolderWatch &operator=(const FolderWatch &) = delete;

    // What changed since the last call, each name once, after waiting up to `timeout` for a
    // first change (an empty list when none came); nullopt once stop() was called.
    std::optional<std::vector<std::filesystem::path>> wait(std::chrono::milliseconds timeout);
    // From any thread: wait() returns nullopt, now or at its next call.
    void stop();
    // Whether the system's limit on watches left part of a tree unwatched (inotify's).
    bool limited() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

} // namespace machine::platform
