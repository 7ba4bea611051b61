#pragma once
// Where machines live on disk: finding them, reading and writing their configs atomically, and
// the per-machine lock every mutating verb holds.
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "platform/file_lock.h"

#include <optional>
#include <string>
#include <vector>

namespace machine {

// One entry of the store as found on disk. A machine whose config cannot be read, or whose data
// folder has no config (an init that was killed), is listed with `problem` set.
struct StoredMachine {
    std::string name;
    std::optional<MachineConfig> config;
    std::string problem;
};

class Store {
public:
    explicit Store(StoreDirs dirs);
    // The XDG dirs of the current user.
    static Store from_environment();

    const StoreDirs &dirs() const { return dirs_; }
    Layout layout(const std::string &name) const { return Layout(dirs_, name); }

    // Every machine, sorted by name. Never throws for one bad machine; that one carries a problem.
    // Machines being created right now (lock held, no config yet) are left out.
    std::vector<StoredMachine> list() const;

    bool exists(const std::string &name) const;
    // Throws NotFound or CorruptConfig.
    MachineConfig load(const std::string &name) const;
    // Atomic: the old config or the new one is on disk, never a mix.
    void save(const MachineConfig &config) const;

    // Blocks until this process holds the machine's lock. Validates the name first.
    platform::FileLock lock(const std::string &name) const;
    // The same for a machine that is there (its config, or the data folder a killed init left):
    // NotFound, before anything is made, when neither is.
    platform::FileLock lock_existing(const std::string &name) const;

    // Creates the store's folders (0700) if missing.
    void prepare() const;
    // The same refusals as prepare() for the folders that exist already, creating nothing.
    void check() const;

private:
    StoreDirs dirs_;
};

} // namespace machine
