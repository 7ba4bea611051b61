#pragma once
// Cached base images no machine uses any more go when a machine is removed, as podman's `rm`
// deletes a machine's image. An `init` holds the cache (shared) from resolving its image until
// its config is saved, and a prune runs only with the cache to itself, so a base an `init` is
// about to use is never taken from under it.
#include "platform/file_lock.h"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace machine {

// Shared with other inits; waits while a prune runs. Creates the cache folder.
platform::FileLock hold_image_cache(const std::filesystem::path &cache);

// Exclusive, without waiting: nothing while an init holds the cache, or when there is no cache.
std::optional<platform::FileLock> try_lock_image_cache(const std::filesystem::path &cache);

// The cached images (disks, kernels, initrds) whose file names `in_use` lacks, sorted. Files
// being written (temporary names) and the index are never listed.
std::vector<std::filesystem::path> unused_cached_images(const std::filesystem::path &cache,
                                                        const std::set<std::string> &in_use);

} // namespace machine
