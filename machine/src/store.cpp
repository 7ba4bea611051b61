#include "machine/store.h"

#include "machine/config_file.h"
#include "machine/config_index.h"
#include "machine/errors.h"
#include "machine/names.h"
#include "platform/atomic_file.h"
#include "platform/host.h"

#include <algorithm>
#include <map>

namespace machine {

namespace fs = std::filesystem;

Store::Store(StoreDirs dirs) : dirs_(std::move(dirs)) {}

Store Store::from_environment() {
    return Store(
        {platform::user_config_dir(), platform::user_data_dir(), platform::user_runtime_dir()});
}

void Store::check() const {
    for (const auto &dir : {dirs_.runtime, dirs_.config / "machines", dirs_.config / "locks",
                            dirs_.data / "machines"})
        platform::check_private_dir(dir);
}

void Store::prepare() const {
    // The runtime folder first: the one most likely to be planted (it may live in /tmp), and a
    // refusal must come before anything else was made.
    platform::make_private_dir(dirs_.runtime);
    platform::make_private_dir(dirs_.config / "machines");
    platform::make_private_dir(dirs_.config / "locks");
    platform::make_private_dir(dirs_.data / "machines");
}

bool Store::exists(const std::string &name) const {
    std::error_code ec;
    return fs::exists(layout(name).config_file(), ec);
}

MachineConfig Store::load(const std::string &name) const {
    validate_machine_name(name);
    auto file = layout(name).config_file();
    if (!exists(name))
        throw NotFound("machine \"" + name + "\" does not exist",
                       "see `machine list` for the machines there are");
    auto config = config_from_yaml(platform::read_file(file), file.string());
    if (config.name != name)
        throw CorruptConfig(file.string(), "name",
                            "is \"" + config.name + "\" but the file is named for \"" + name +
                                "\"");
    return config;
}

void Store::save(const MachineConfig &config) const {
    platform::write_file_atomically(layout(config.name).config_file(), config_to_yaml(config));
}

platform::FileLock Store::lock(const std::string &name) const {
    validate_machine_name(name);
    prepare();
    return platform::FileLock::acquire(layout(name).lock_file());
}

platform::FileLock Store::lock_existing(const std::string &name) const {
    validate_machine_name(name);
    std::error_code ec;
    if (!exists(name) && !fs::exists(layout(name).data_dir(), ec))
        throw NotFound("machine \"" + name + "\" does not exist",
                       "see `machine list` for the machines there are");
    return lock(name);
}

std::vector<StoredMachine> Store::list() const {
    std::map<std::string, StoredMachine> found;
    std::map<std::string, FileIdentity> stamps;
    auto index_file = dirs_.config / "machines" / ".index.json";
    auto index = ConfigIndex::load(index_file);
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dirs_.config / "machines", ec)) {
        if (entry.path().extension() != ".yaml")
            continue; // the index, and temp files of an interrupted save
        auto name = entry.path().stem().string();
        StoredMachine machine{name, std::nullopt, {}};
        auto stamp = platform::try_file_identity(entry.path());
        if (stamp)
            machine.config = index.find(name, *stamp);
        if (!machine.config) {
            try {
                machine.config = load(name);
                if (stamp) {
                    index.put(name, *stamp, *machine.config);
                    stamps[name] = *stamp;
                }
            } catch (const Error &e) {
                machine.problem = e.what();
            }
        } else {
            stamps[name] = *stamp;
        }
        found[name] = std::move(machine);
    }
    index.keep_only(stamps);
    index.save_if_changed(index_file);
    for (const auto &entry : fs::directory_iterator(dirs_.data / "machines", ec)) {
        auto name = entry.path().filename().string();
        if (found.count(name))
            continue;
        // A data folder without a config is an init in progress (lock held) or one that died.
        bool in_progress = false;
        try {
            in_progress = !platform::FileLock::try_acquire(layout(name).lock_file()).held();
        } catch (const Error &) {
            // No lock file can be made: nobody can be holding it either.
        }
        if (!in_progress)
            found[name] = {name, std::nullopt,
                           "init did not finish; remove it with `machine rm " + name + "`"};
    }
    std::vector<StoredMachine> machines;
    for (auto &[name, machine] : found)
        machines.push_back(std::move(machine));
    return machines;
}

} // namespace machine
