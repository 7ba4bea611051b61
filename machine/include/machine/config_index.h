#pragma once
// A cache of parsed machine configs beside the YAML files (MessagePack, the fastest format
// nlohmann-json reads), so `list` does not parse YAML that has
// not changed since the last run. Only ever a cache: an entry counts only while its file's
// identity (device, inode, size, mtime to the nanosecond; a save renames a new file in, so a new
// inode) is unchanged; a missing, stale or damaged index is simply rebuilt.
#include "machine/machine_config.h"
#include "platform/file_identity.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace machine {

using platform::FileIdentity;

class ConfigIndex {
public:
    // Never throws: an unreadable index is an empty one.
    static ConfigIndex load(const std::filesystem::path &file);

    std::optional<MachineConfig> find(const std::string &name, const FileIdentity &stamp) const;
    void put(const std::string &name, const FileIdentity &stamp, const MachineConfig &config);
    // Drops entries for machines not in `names`.
    void keep_only(const std::map<std::string, FileIdentity> &names);

    // Writes the index atomically if anything changed; a failure (read-only store, full disk)
    // is ignored, since the YAML files stay the truth.
    void save_if_changed(const std::filesystem::path &file) const;

private:
    struct Entry {
        FileIdentity stamp;
        MachineConfig config;
    };
    std::map<std::string, Entry> entries_;
    bool changed_ = false;
};

} // namespace machine
