#include "platform/folder_watch.h"

#include "machine/errors.h"
#include "platform/windows_error.h"
#include "platform/windows_handle.h"

#include <atomic>
#include <set>
#include <string>

namespace machine::platform {

namespace {

// A file's name (a created or renamed one) and its last write; a folder's shows as its files'.
constexpr DWORD watched = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE;
constexpr DWORD buffer_bytes = 64 * 1024; // the most a network share's folder takes

} // namespace

struct FolderWatch::State {
    // One folder's tree, with its read in flight: ReadDirectoryChangesW watches a whole subtree.
    struct Tree {
        std::filesystem::path folder;
        WinHandle handle;
        WinHandle done; // the event the read signals
        OVERLAPPED overlapped{};
        alignas(DWORD) char buffer[buffer_bytes];

        void read() {
            overlapped = {};
            overlapped.hEvent = done.get();
            if (!ReadDirectoryChangesW(handle.get(), buffer, buffer_bytes, TRUE, watched, nullptr,
                                       &overlapped, nullptr))
                throw_windows_error("cannot watch " + folder.string(), GetLastError());
        }

        // The names a completed read carries; an overflow (too many at once) carries none.
        void collect(DWORD bytes, std::set<std::filesystem::path> &changed) const {
            for (DWORD at = 0; bytes > 0;) {
                auto *info = reinterpret_cast<const FILE_NOTIFY_INFORMATION *>(buffer + at);
                if (info->Action == FILE_ACTION_ADDED || info->Action == FILE_ACTION_MODIFIED ||
                    info->Action == FILE_ACTION_RENAMED_NEW_NAME)
                    changed.insert(folder / std::wstring(info->FileName,
                                                         info->FileNameLength / sizeof(WCHAR)));
                if (info->NextEntryOffset == 0)
                    break;
                at += info->NextEntryOffset;
            }
        }
    };

    std::vector<std::unique_ptr<Tree>> trees;
    WinHandle stopping{CreateEventW(nullptr, TRUE, FALSE, nullptr)};
    std::atomic<bool> limited = false;
};

FolderWatch::FolderWatch(const std::vector<std::filesystem::path> &folders)
    : state_(std::make_unique<State>()) {
    if (folders.size() + 1 > MAXIMUM_WAIT_OBJECTS)
        throw SystemError("too many folders to watch", ERROR_TOO_MANY_SEMAPHORES);
    for (const auto &folder : folders) {
        auto tree = std::make_unique<State::Tree>();
        tree->folder = folder;
        tree->handle = WinHandle(
            CreateFileW(folder.wstring().c_str(), FILE_LIST_DIRECTORY,
                        FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                        OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, nullptr));
        if (!tree->handle)
            throw_windows_error("cannot watch " + folder.string(), GetLastError());
        tree->done = WinHandle(CreateEventW(nullptr, TRUE, FALSE, nullptr));
        tree->read();
        state_->trees.push_back(std::move(tree));
    }
}

FolderWatch::~FolderWatch() {
    for (auto &tree : state_->trees) { // the kernel must be done with each buffer first
        CancelIoEx(tree->handle.get(), &tree->overlapped);
        DWORD bytes = 0;
        GetOverlappedResult(tree->handle.get(), &tree->overlapped, &bytes, TRUE);
    }
}

std::optional<std::vector<std::filesystem::path>>
FolderWatch::wait(std::chrono::milliseconds timeout) {
    std::vector<HANDLE> events{state_->stopping.get()};
    for (auto &tree : state_->trees)
        events.push_back(tree->done.get());
    WaitForMultipleObjects(DWORD(events.size()), events.data(), FALSE, DWORD(timeout.count()));
    if (WaitForSingleObject(state_->stopping.get(), 0) == WAIT_OBJECT_0)
        return std::nullopt;
    std::set<std::filesystem::path> changed;
    for (auto &tree : state_->trees) {
        DWORD bytes = 0;
        if (!GetOverlappedResult(tree->handle.get(), &tree->overlapped, &bytes, FALSE))
            continue; // still waiting
        if (bytes == 0)
            state_->limited = true; // the buffer overflowed: names were lost
        tree->collect(bytes, changed);
        ResetEvent(tree->done.get());
        tree->read();
    }
    return std::vector<std::filesystem::path>(changed.begin(), changed.end());
}

void FolderWatch::stop() {
    SetEvent(state_->stopping.get());
}

bool FolderWatch::limited() const {
    return state_->limited;
}

} // namespace machine::platform
