#pragma once
// An advisory lock on a file (flock), released when the object dies or the process does, so a
// SIGKILLed holder never leaves a lock held. Exclusive, or shared: any number of shared holds
// together, never beside an exclusive one.
#include <filesystem>

namespace machine::platform {

class FileLock {
public:
    // Blocks until the lock is ours. Creates the file (0600) if needed.
    static FileLock acquire(const std::filesystem::path &path);
    // Blocks until a shared hold is ours. Creates the file (0600) if needed.
    static FileLock acquire_shared(const std::filesystem::path &path);
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
