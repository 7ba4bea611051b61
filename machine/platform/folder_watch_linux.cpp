#include "platform/folder_watch.h"

#include "machine/errors.h"
#include "platform/unix_socket.h"

#include <atomic>
#include <cerrno>
#include <map>
#include <poll.h>
#include <set>
#include <sys/inotify.h>
#include <unistd.h>
#include <utility>

namespace machine::platform {

namespace {

// A file written and closed, or just written to, created, or moved in; a folder's own watch.
constexpr std::uint32_t watched =
    IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

} // namespace

// inotify watches one folder, not a tree: every folder below gets a watch of its own, and one
// that appears later gets one as it appears. The trees given are walked by the first wait(), on
// the watching thread, where stop() can cut a long walk short.
struct FolderWatch::State {
    Fd inotify;
    WakePipe stopping;
    std::atomic<bool> stopped = false;
    std::map<int, std::filesystem::path> folders; // watch descriptor -> folder
    std::vector<std::filesystem::path> unwalked;
    std::atomic<bool> limited = false;

    // Watches `folder` and every folder below it; reports the files already in a folder that
    // appeared after the watch began (they were written before its watch could see them).
    void add_tree(const std::filesystem::path &folder, std::set<std::filesystem::path> *found) {
        add(folder);
        std::error_code error;
        auto options = std::filesystem::directory_options::skip_permission_denied;
        for (std::filesystem::recursive_directory_iterator it(folder, options, error), end;
             !error && it != end && !stopped; it.increment(error)) {
            if (it->is_directory(error) && !it->is_symlink(error))
                add(it->path());
            else if (found)
                found->insert(it->path());
        }
    }

    void add(const std::filesystem::path &folder) {
        int descriptor = ::inotify_add_watch(inotify.get(), folder.c_str(), watched | IN_ONLYDIR);
        if (descriptor >= 0)
            folders[descriptor] = folder;
        else if (errno == ENOSPC) // fs.inotify.max_user_watches
            limited = true;
    }

    void read_events(std::set<std::filesystem::path> &changed) {
        alignas(inotify_event) char buffer[64 * 1024];
        for (;;) {
            auto n = ::read(inotify.get(), buffer, sizeof buffer);
            if (n <= 0)
                return; // EAGAIN: all read
            for (char *at = buffer; at < buffer + n;) {
                auto *event = reinterpret_cast<inotify_event *>(at);
                at += sizeof(inotify_event) + event->len;
                auto folder = folders.find(event->wd);
                if (event->mask & IN_IGNORED) {
                    if (folder != folders.end())
                        folders.erase(folder);
                    continue;
                }
                if (event->mask & IN_Q_OVERFLOW)
                    limited = true; // events were lost: too many at once
                if (folder == folders.end() || event->len == 0)
                    continue;
                auto path = folder->second / event->name;
                if ((event->mask & IN_ISDIR) && (event->mask & (IN_CREATE | IN_MOVED_TO)))
                    add_tree(path, &changed);
                else if (!(event->mask & IN_ISDIR))
                    changed.insert(path);
            }
        }
    }
};

FolderWatch::FolderWatch(const std::vector<std::filesystem::path> &folders)
    : state_(std::make_unique<State>()) {
    state_->inotify = Fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!state_->inotify)
        throw SystemError("inotify_init1", errno);
    for (const auto &folder : folders) {
        int descriptor =
            ::inotify_add_watch(state_->inotify.get(), folder.c_str(), watched | IN_ONLYDIR);
        if (descriptor < 0)
            throw SystemError("cannot watch " + folder.string(), errno);
        state_->folders[descriptor] = folder;
    }
    state_->unwalked = folders;
}

FolderWatch::~FolderWatch() = default;

std::optional<std::vector<std::filesystem::path>>
FolderWatch::wait(std::chrono::milliseconds timeout) {
    for (const auto &folder : std::exchange(state_->unwalked, {}))
        state_->add_tree(folder, nullptr);
    pollfd fds[2] = {{state_->inotify.get(), POLLIN, 0}, {state_->stopping.read_fd(), POLLIN, 0}};
    if (!state_->stopped)
        ::poll(fds, 2, int(timeout.count()));
    if (state_->stopped)
        return std::nullopt;
    std::set<std::filesystem::path> changed;
    state_->read_events(changed);
    return std::vector<std::filesystem::path>(changed.begin(), changed.end());
}

void FolderWatch::stop() {
    state_->stopped = true;
    state_->stopping.wake();
}

bool FolderWatch::limited() const {
    return state_->limited;
}

} // namespace machine::platform
