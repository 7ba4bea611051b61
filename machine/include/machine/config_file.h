#pragma once
// MachineConfig <-> YAML. Reading is strict: a missing field, a wrong type or an unknown key is a
// CorruptConfig naming the file and the field, never silently dropped.
#include "machine/machine_config.h"

#include <string>

namespace machine {

std::string config_to_yaml(const MachineConfig &config);

// `file` is only used to name the file in errors.
MachineConfig config_from_yaml(const std::string &text, const std::string &file);

} // namespace machine
