#pragma once
// An exclusive advisory lock on a file (flock), released when the object dies or the process
// does, so a SIGKILLed holder never leaves a lock held.
#include <filesystem>

namespace machine::platform {

class FileLock {
public:
    // Blocks until the lock is ours. Creates the file (0600) if needed.
    static FileLock acquire(const std::filesystem::path &path);
    // Returns an unlocked object (held() == false) when another process holds it.
    static FileLock try_acquire(const std::filesystem::path &path);

    FileLock(FileLock &&other) noexcept;
    FileLock &operator=(FileLock &&) = delete;
    FileLock(const FileLock &) = delete;
    ~FileLock();

    bool held() const { return fd_ >= 0; }

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_;
};

} // namespace machine::platform
