#pragma once
// A Hyper-V VM's state, as the state script prints it (Get-VM's State: Running, Off, Starting,
// Saved...; "Missing" when there is no such VM), as the lifecycle's MachineState.
#include "machine/provider.h"

#include <string>

namespace machine {

inline constexpr const char *vm_missing = "Missing";

// Off, Saved, FastSaved, Hibernated (and their ...Critical forms, the same with the VM's storage
// out of reach) and Missing are `stopped`: nothing runs. Every other state is `running`, the
// passing ones too (Starting, Stopping, Saving, Paused...): the VM holds memory, and a stop must
// still turn it off. Throws ProtocolError for output that is no state name.
MachineState parse_vm_state(const std::string &output);

} // namespace machine
