// The renderers' inputs: whatever the CLI's --volume parser accepts (one spec per line of the
// input) must render to an Ignition config the guest agent parses and plans, with a mount unit
// per volume, and to cloud-init user-data.
#include "machine/errors.h"
#include "machine/volume.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/ignition.h"
#include "provisioning/agent/plan.h"
#include "provisioning/cloud_init.h"
#include "provisioning/ignition.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    machine::provisioning::GuestSettings settings;
    settings.hostname = "fuzz";
    settings.username = "core";
    settings.authorized_key = "ssh-ed25519 AAAAclient machine-fuzz";
    settings.timezone = "UTC";
    std::istringstream lines(std::string(reinterpret_cast<const char *>(data), size));
    for (std::string spec; std::getline(lines, spec);) {
        try {
            settings.mounts.push_back(machine::parse_volume(spec));
        } catch (const machine::InvalidInput &) {
        }
    }
    try {
        machine::check_distinct_guest_paths(settings.mounts); // as `init` does
    } catch (const machine::InvalidInput &) {
        return 0;
    }
    auto rendered = machine::provisioning::render_ignition(settings).dump(); // must not throw
    auto config = machine::agent::parse_ignition(rendered); // a ConfigError would escape: a bug
    machine::agent::make_plan(config);
    std::size_t mount_units = 0;
    for (const auto &unit : config.units)
        if (unit.name.size() > 6 && unit.name.substr(unit.name.size() - 6) == ".mount")
            ++mount_units;
    if (mount_units != settings.mounts.size())
        std::abort();
    machine::provisioning::render_user_data(settings);
    return 0;
}
