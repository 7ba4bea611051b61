#include "machine/config_index.h"

#include "platform/atomic_file.h"

#include <nlohmann/json.hpp>

namespace machine {

namespace {

// Entries are stored as flat arrays rather than objects: reading them builds far fewer nodes,
// and reading this index is most of what `list` does.
nlohmann::json to_row(const FileIdentity &s, const MachineConfig &c) {
    auto mounts = nlohmann::json::array();
    for (const auto &m : c.mounts)
        mounts.push_back({m.host_path, m.guest_path, m.read_only});
    return {s.device,
            s.inode,
            s.size,
            s.mtime_ns,
            c.name,
            c.provider,
            c.arch,
            c.resources.cpus,
            c.resources.memory_mib,
            c.resources.disk_gib,
            c.image.path,
            c.image.format,
            c.image.kernel,
            c.image.initrd,
            c.image.kernel_cmdline,
            c.image.provisioning,
            c.ssh.username,
            c.ssh.port,
            c.ssh.identity_path,
            c.ssh.host_key_fingerprint,
            c.ssh.uid,
            mounts,
            c.rootful,
            c.timezone,
            c.created,
            c.last_up,
            c.provider_state};
}

std::pair<FileIdentity, MachineConfig> from_row(const nlohmann::json &row) {
    std::size_t i = 0;
    auto next = [&] { return row.at(i++); };
    FileIdentity s;
    MachineConfig c;
    next().get_to(s.device), next().get_to(s.inode), next().get_to(s.size);
    next().get_to(s.mtime_ns);
    next().get_to(c.name), next().get_to(c.provider), next().get_to(c.arch);
    next().get_to(c.resources.cpus), next().get_to(c.resources.memory_mib);
    next().get_to(c.resources.disk_gib);
    next().get_to(c.image.path), next().get_to(c.image.format), next().get_to(c.image.kernel);
    next().get_to(c.image.initrd), next().get_to(c.image.kernel_cmdline);
    next().get_to(c.image.provisioning);
    next().get_to(c.ssh.username), next().get_to(c.ssh.port), next().get_to(c.ssh.identity_path);
    next().get_to(c.ssh.host_key_fingerprint), next().get_to(c.ssh.uid);
    for (const auto &m : next())
        c.mounts.push_back({m.at(0), m.at(1), m.at(2)});
    next().get_to(c.rootful), next().get_to(c.timezone), next().get_to(c.created);
    next().get_to(c.last_up), next().get_to(c.provider_state);
    return {s, c};
}

// Bumped whenever MachineConfig changes shape, so an old index is ignored, not misread.
constexpr int index_version = config_schema_version * 100 + 2;

} // namespace

ConfigIndex ConfigIndex::load(const std::filesystem::path &file) {
    ConfigIndex index;
    try {
        auto json = nlohmann::json::from_msgpack(platform::read_file(file));
        if (json.at("version") != index_version)
            return index;
        for (const auto &row : json.at("machines")) {
            auto [stamp, config] = from_row(row);
            auto name = config.name; // the assignment's right side is evaluated first
            index.entries_[name] = {stamp, std::move(config)};
        }
    } catch (...) {
        index.entries_.clear(); // a cache that cannot be read is rebuilt
    }
    return index;
}

std::optional<MachineConfig> ConfigIndex::find(const std::string &name,
                                               const FileIdentity &stamp) const {
    auto entry = entries_.find(name);
    if (entry == entries_.end() || !(entry->second.stamp == stamp)) {
        return std::nullopt;
    }
    return entry->second.config;
}

void ConfigIndex::put(const std::string &name, const FileIdentity &stamp,
                      const MachineConfig &config) {
    entries_[name] = {stamp, config};
    changed_ = true;
}

void ConfigIndex::keep_only(const std::map<std::string, FileIdentity> &names) {
    for (auto entry = entries_.begin(); entry != entries_.end();) {
        if (names.count(entry->first)) {
            ++entry;
        } else {
            entry = entries_.erase(entry);
            changed_ = true;
        }
    }
}

void ConfigIndex::save_if_changed(const std::filesystem::path &file) const {
    if (!changed_)
        return;
    auto machines = nlohmann::json::array();
    for (const auto &[name, entry] : entries_)
        machines.push_back(to_row(entry.stamp, entry.config));
    try {
        auto bytes =
            nlohmann::json::to_msgpack({{"version", index_version}, {"machines", machines}});
        platform::write_file_atomically(file, std::string(bytes.begin(), bytes.end()));
    } catch (...) {
        // Only a cache: the next run parses the YAML again.
    }
}

} // namespace machine
