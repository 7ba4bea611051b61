#include "machine/shared_folder_changes.h"

#include "machine/errors.h"

#include <set>

namespace machine {

namespace {

using namespace std::chrono_literals;

constexpr std::size_t most_pending = 65536;

// A regular file's stamp; nullopt for anything else (a folder, a link, a file gone again).
std::optional<FileStamp> stamp_of(const std::filesystem::path &file) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(file, error)))
        return std::nullopt;
    auto modified = std::filesystem::last_write_time(file, error);
    auto size = std::filesystem::file_size(file, error);
    if (error)
        return std::nullopt;
    return FileStamp{
        std::chrono::duration_cast<std::chrono::nanoseconds>(modified.time_since_epoch()).count(),
        size};
}

// A folder's path without "." or ".." or a trailing separator.
std::filesystem::path folder_of(const std::string &path) {
    auto folder = std::filesystem::path(path).lexically_normal();
    return folder.has_filename() || folder == folder.root_path() ? folder : folder.parent_path();
}

// Whether `inner` is `folder` or below it, by whole components ("/src" does not hold "/srcs").
bool holds(const std::filesystem::path &folder, const std::filesystem::path &inner) {
    auto [end, _] = std::mismatch(folder.begin(), folder.end(), inner.begin(), inner.end());
    return end == folder.end();
}

} // namespace

std::optional<std::string> guest_path_of(const std::vector<Mount> &mounts,
                                         const std::filesystem::path &host_file) {
    const Mount *deepest = nullptr;
    std::size_t depth = 0;
    auto file = host_file.lexically_normal();
    for (const auto &mount : mounts) {
        auto folder = folder_of(mount.host_path);
        auto components = std::size_t(std::distance(folder.begin(), folder.end()));
        if (holds(folder, file) && (!deepest || components > depth)) {
            deepest = &mount;
            depth = components;
        }
    }
    if (!deepest)
        return std::nullopt;
    auto below = file.lexically_relative(folder_of(deepest->host_path));
    auto guest = std::filesystem::path(deepest->guest_path);
    // The guest is Linux: its path is written with '/', whatever the host's separator.
    return below.empty() || below == "." ? guest.generic_string()
                                         : (guest / below).lexically_normal().generic_string();
}

bool SentStamps::is_news(const std::filesystem::path &file, const FileStamp &stamp) {
    auto found = sent_.find(file);
    if (found != sent_.end() && found->second == stamp)
        return false;
    if (found == sent_.end() && sent_.size() >= capacity_)
        sent_.clear();
    sent_[file] = stamp;
    return true;
}

SharedFolderChanges::SharedFolderChanges(std::vector<Mount> mounts,
                                         std::function<void(const std::string &)> log)
    : log_(std::move(log)) {
    std::vector<std::filesystem::path> folders;
    for (auto &mount : mounts)
        if (!mount.read_only) {
            folders.emplace_back(mount.host_path);
            mounts_.push_back(std::move(mount));
        }
    if (folders.empty())
        return;
    try {
        watch_ = std::make_unique<platform::FolderWatch>(folders);
    } catch (const Error &error) {
        log_(std::string("forwarder: not watching the shared folders: ") + error.what());
        return;
    }
    thread_ = std::thread([this] { watch(); });
}

SharedFolderChanges::~SharedFolderChanges() {
    if (watch_)
        watch_->stop();
    if (thread_.joinable())
        thread_.join();
}

std::vector<std::string> SharedFolderChanges::drain() {
    std::lock_guard lock(mutex_);
    ready_.drain();
    return std::exchange(pending_, {});
}

void SharedFolderChanges::watch() {
    bool told_limited = false;
    for (;;) {
        auto first = watch_->wait(watching_ ? 1h : 0ms); // the first call walks the trees
        watching_ = true;
        if (!first)
            return;
        std::set<std::filesystem::path> burst(first->begin(), first->end());
        // A save, a build or a checkout writes many files, some more than once: one batch.
        auto until = platform::Clock::now() + longest_gather;
        while (!burst.empty() && platform::Clock::now() < until) {
            auto more = watch_->wait(gather_pause);
            if (!more)
                return;
            if (more->empty())
                break;
            burst.insert(more->begin(), more->end());
        }
        if (watch_->limited() && !std::exchange(told_limited, true))
            log_("forwarder: the system's limit on file watches left part of the shared folders "
                 "unwatched; changes there do not reach the guest's watchers");
        publish({burst.begin(), burst.end()});
    }
}

void SharedFolderChanges::publish(const std::vector<std::filesystem::path> &files) {
    std::vector<std::string> news;
    for (const auto &file : files) {
        auto stamp = stamp_of(file);
        auto guest = guest_path_of(mounts_, file);
        if (stamp && guest && sent_.is_news(file, *stamp))
            news.push_back(std::move(*guest));
    }
    if (news.empty())
        return;
    std::lock_guard lock(mutex_);
    bool was_empty = pending_.empty();
    if (pending_.size() < most_pending) // a link down for long: the newest are dropped
        pending_.insert(pending_.end(), news.begin(), news.end());
    if (was_empty)
        ready_.wake();
}

} // namespace machine
