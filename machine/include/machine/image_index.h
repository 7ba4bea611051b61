#pragma once
// The digests the image cache already knows, kept in a small JSON file beside it, so that an
// unchanged image is never hashed twice: `init` stays flat in the image's size. A missing or
// unreadable index is an empty one (it only ever saves work).
#include "platform/file_identity.h"

#include <filesystem>
#include <optional>
#include <string>

namespace machine {

struct ImageDigest {
    std::string sha256;      // of the file as given or downloaded (compressed or not)
    std::string disk_sha256; // of the disk inside it
    std::string format;      // "qcow2", "raw" or "tar"

    bool operator==(const ImageDigest &) const = default;
};

class ImageIndex {
public:
    explicit ImageIndex(std::filesystem::path file) : file_(std::move(file)) {}

    // What was recorded for the local file at `path` (absolute), if it is unchanged since:
    // same device, inode, size and modification time.
    std::optional<ImageDigest> find(const std::filesystem::path &path,
                                    const platform::FileIdentity &identity) const;

    // What was recorded for content of this sha256, from any source (downloads included).
    std::optional<ImageDigest> find_content(const std::string &sha256) const;

    // Records `digest` for content, and for the local file at `path` unless `path` is empty.
    // Forgets files that no longer exist. Written atomically; throws SystemError.
    void record(const std::filesystem::path &path, const platform::FileIdentity &identity,
                const ImageDigest &digest) const;

private:
    std::filesystem::path file_;
};

} // namespace machine
