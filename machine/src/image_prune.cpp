#include "machine/image_prune.h"

#include "platform/atomic_file.h"

#include <algorithm>
#include <regex>

namespace machine {

namespace fs = std::filesystem;

namespace {

constexpr const char *lock_name = ".lock";

// The names image_store.h gives what it caches, and nothing else.
bool is_cached_image(const std::string &name) {
    static const std::regex cached(R"(sha256-[0-9a-f]{64}\.(qcow2|raw|tar|vmlinuz|initrd))");
    return std::regex_match(name, cached);
}

} // namespace

platform::FileLock hold_image_cache(const fs::path &cache) {
    platform::make_private_dir(cache);
    return platform::FileLock::acquire_shared(cache / lock_name);
}

std::optional<platform::FileLock> try_lock_image_cache(const fs::path &cache) {
    if (!fs::is_directory(cache))
        return std::nullopt;
    auto lock = platform::FileLock::try_acquire(cache / lock_name);
    if (!lock.held())
        return std::nullopt;
    return lock;
}

std::vector<fs::path> unused_cached_images(const fs::path &cache,
                                           const std::set<std::string> &in_use) {
    std::vector<fs::path> unused;
    std::error_code ec;
    for (fs::directory_iterator it(cache, ec), end; !ec && it != end; it.increment(ec)) {
        auto name = it->path().filename().string();
        if (is_cached_image(name) && !in_use.count(name))
            unused.push_back(it->path());
    }
    std::sort(unused.begin(), unused.end());
    return unused;
}

} // namespace machine
