#include "providers/wsl/wsl_ignition.h"

#include "machine/errors.h"

#include <nlohmann/json.hpp>

namespace machine {

namespace {

using nlohmann::json;

// Drops the entries of `object[section][list]` whose `key` is `value`.
void drop(json &config, const char *section, const char *list, const char *key,
          const std::string &value) {
    auto outer = config.find(section);
    if (outer == config.end() || !outer->is_object())
        return;
    auto entries = outer->find(list);
    if (entries == outer->end() || !entries->is_array())
        return;
    json kept = json::array();
    for (const auto &entry : *entries)
        if (!entry.is_object() || entry.value(key, std::string()) != value)
            kept.push_back(entry);
    *entries = kept;
}

} // namespace

std::string wsl_ignition(const std::string &ignition) {
    auto config = json::parse(ignition, nullptr, false);
    if (config.is_discarded() || !config.is_object())
        throw Error("the rendered Ignition config is not a JSON object");
    drop(config, "systemd", "units", "name", "machine-ready.service");
    drop(config, "storage", "files", "path", "/etc/hostname");
    return config.dump(2) + "\n";
}

} // namespace machine
