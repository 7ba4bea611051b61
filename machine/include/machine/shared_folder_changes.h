#pragma once
// Files written on the host in a machine's shared folders, by their paths in the guest, for the
// forwarder to name to the guest agent in CHANGED frames, so that file watchers in the guest (a
// dev server's hot reload in a container) hear of them (docs/mux-protocol.md). A thread watches
// the writable shared folders (platform::FolderWatch); a burst of changes becomes one batch,
// each file in it once. A file whose size and modification time are what was last sent is left
// out: that is the guest's own touch (how it shows a change) coming back as a host event.
#include "machine/volume.h"
#include "platform/folder_watch.h"
#include "platform/unix_socket.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace machine {

// A burst is gathered until it pauses this long, or for at most `longest_gather`.
inline constexpr std::chrono::milliseconds gather_pause{50};
inline constexpr std::chrono::milliseconds longest_gather{250};

// The path in the guest of a file below one of `mounts`' host folders (the deepest one that
// holds it), or nullopt. Pure.
std::optional<std::string> guest_path_of(const std::vector<Mount> &mounts,
                                         const std::filesystem::path &host_file);

// What a file looked like when last sent: a change shows as another size or time.
struct FileStamp {
    std::int64_t modified = 0; // nanoseconds, the file system's clock
    std::uintmax_t size = 0;
    bool operator==(const FileStamp &) const = default;
};

// Which files are news: each file's stamp when last sent. Bounded: past `capacity` files it
// forgets them all (one echo may then be sent again, once).
class SentStamps {
public:
    explicit SentStamps(std::size_t capacity = 65536) : capacity_(capacity) {}
    // True, and remembered, when `stamp` is not what was last sent for `file`.
    bool is_news(const std::filesystem::path &file, const FileStamp &stamp);

private:
    std::size_t capacity_;
    std::map<std::filesystem::path, FileStamp> sent_;
};

class SharedFolderChanges {
public:
    // Watches on a thread of its own; read-only mounts are left out (the guest cannot touch their
    // files). A folder that cannot be watched is logged, and its changes are not sent.
    SharedFolderChanges(std::vector<Mount> mounts, std::function<void(const std::string &)> log);
    ~SharedFolderChanges();
    SharedFolderChanges(const SharedFolderChanges &) = delete;
    SharedFolderChanges &operator=(const SharedFolderChanges &) = delete;

    // For the session (mux::EndpointOptions::changed_files): readable while a batch waits.
    int ready_fd() const { return ready_.read_fd(); }
    // The guest paths changed since the last call, each once.
    std::vector<std::string> drain();
    // Whether every folder of the trees is watched yet (a large tree takes a while to walk).
    bool watching() const { return watching_; }

private:
    void watch();
    void publish(const std::vector<std::filesystem::path> &files);

    std::vector<Mount> mounts_;
    std::function<void(const std::string &)> log_;
    SentStamps sent_; // the watching thread's alone
    std::mutex mutex_;
    std::vector<std::string> pending_;
    platform::WakePipe ready_;
    std::unique_ptr<platform::FolderWatch> watch_;
    std::atomic<bool> watching_ = false;
    std::thread thread_;
};

} // namespace machine
