#include "machine/image_index.h"

#include "platform/atomic_file.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace machine {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json load(const fs::path &file) {
    std::ifstream in(file);
    auto index = in ? json::parse(in, nullptr, false) : json::object();
    if (!index.is_object())
        index = json::object();
    for (const char *section : {"files", "contents"})
        if (!index[section].is_object())
            index[section] = json::object();
    return index;
}

std::optional<ImageDigest> digest_of(const json &entry, const std::string &sha256) {
    auto text = [&](const char *key) {
        auto value = entry.find(key);
        return value != entry.end() && value->is_string() ? value->get<std::string>()
                                                          : std::string();
    };
    ImageDigest digest{sha256.empty() ? text("sha256") : sha256, text("disk_sha256"),
                       text("format")};
    if (digest.sha256.empty() || digest.disk_sha256.empty() ||
        (digest.format != "qcow2" && digest.format != "raw" && digest.format != "tar"))
        return std::nullopt;
    return digest;
}

template <typename T> bool field_is(const json &entry, const char *key, T expected) {
    auto value = entry.find(key);
    return value != entry.end() && value->is_number_integer() && value->get<T>() == expected;
}

} // namespace

std::optional<ImageDigest> ImageIndex::find(const fs::path &path,
                                            const platform::FileIdentity &identity) const {
    auto index = load(file_);
    auto entry = index["files"].find(path.string());
    if (entry == index["files"].end() || !entry->is_object())
        return std::nullopt;
    if (!field_is(*entry, "device", identity.device) ||
        !field_is(*entry, "inode", identity.inode) || !field_is(*entry, "size", identity.size) ||
        !field_is(*entry, "mtime_ns", identity.mtime_ns))
        return std::nullopt;
    return digest_of(*entry, {});
}

std::optional<ImageDigest> ImageIndex::find_content(const std::string &sha256) const {
    auto index = load(file_);
    auto entry = index["contents"].find(sha256);
    if (entry == index["contents"].end() || !entry->is_object())
        return std::nullopt;
    return digest_of(*entry, sha256);
}

void ImageIndex::record(const fs::path &path, const platform::FileIdentity &identity,
                        const ImageDigest &digest) const {
    auto index = load(file_);
    auto &files = index["files"];
    for (auto entry = files.begin(); entry != files.end();) {
        std::error_code ec;
        entry = fs::exists(entry.key(), ec) ? std::next(entry) : files.erase(entry);
    }
    index["contents"][digest.sha256] = {{"disk_sha256", digest.disk_sha256},
                                        {"format", digest.format}};
    if (!path.empty())
        files[path.string()] = {{"device", identity.device}, {"inode", identity.inode},
                                {"size", identity.size},     {"mtime_ns", identity.mtime_ns},
                                {"sha256", digest.sha256},   {"disk_sha256", digest.disk_sha256},
                                {"format", digest.format}};
    platform::write_file_atomically(file_, index.dump(2) + "\n", 0644);
}

} // namespace machine
