#pragma once
// A cache of parsed machine configs beside the YAML files (MessagePack, the fastest format
// nlohmann-json reads), so `list` does not parse YAML that has
// not changed since the last run. Only ever a cache: an entry counts only while its file's stamp
// (inode, size, mtime, ctime) is unchanged; a missing, stale or damaged index is simply rebuilt.
#include "machine/machine_config.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace machine {

struct FileStamp {
    std::uint64_t inode = 0, size = 0;
    std::int64_t mtime_ns = 0, ctime_ns = 0;

    bool operator==(const FileStamp &) const = default;
};

// nullopt when the file cannot be stat'ed.
std::optional<FileStamp> stamp_of(const std::filesystem::path &file);

class ConfigIndex {
public:
    // Never throws: an unreadable index is an empty one.
    static ConfigIndex load(const std::filesystem::path &file);

    std::optional<MachineConfig> find(const std::string &name, const FileStamp &stamp) const;
    void put(const std::string &name, const FileStamp &stamp, const MachineConfig &config);
    // Drops entries for machines not in `names`.
    void keep_only(const std::map<std::string, FileStamp> &names);

    // Writes the index atomically if anything changed; a failure (read-only store, full disk)
    // is ignored, since the YAML files stay the truth.
    void save_if_changed(const std::filesystem::path &file) const;

private:
    struct Entry {
        FileStamp stamp;
        MachineConfig config;
    };
    std::map<std::string, Entry> entries_;
    bool changed_ = false;
};

} // namespace machine
