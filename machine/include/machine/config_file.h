#pragma once
// MachineConfig <-> YAML. Reading is strict: a missing field, a wrong type or an unknown key is a
// CorruptConfig naming the file and the field, never silently dropped.
#include "machine/machine_config.h"

#include <string>

namespace machine {

std::string config_to_yaml(const MachineConfig &config);

// `file` is only used to name the file in errors. Reads schema version 1 too, losing nothing:
// its `provider: NAME` becomes the map's name with no state of the provider's own, and its
// missing ssh.uid the uid version 1 derived from the host user every time
// (guest_user_uid()); the next save writes the current version.
MachineConfig config_from_yaml(const std::string &text, const std::string &file);

} // namespace machine
