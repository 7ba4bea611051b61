#pragma once
// Every name a Hyper-V machine has, in one place: its files inside the machine's folders
// (machine/layout.h), its VM's name and mark in Hyper-V, and its console's pipe.
#include "machine/layout.h"

#include <filesystem>
#include <string>

namespace machine {

struct HyperVNames {
    explicit HyperVNames(const Layout &layout);

    std::filesystem::path disk; // the machine's own copy of the guest image's VHDX
    std::string vm_name;        // "machine-NAME", what Hyper-V Manager lists
    // The VM's Notes: which machine folder the VM belongs to, so that an init retried after a
    // kill finds (and replaces) the VM it made, and never another VM of the same name.
    std::string vm_notes;
};

// The named pipe Hyper-V serves the VM's COM1 on (its serial console): named by the VM's id, so
// no two VMs share one.
std::string console_pipe_name(const std::string &vm_id);

// A VM id as Hyper-V prints it (lower case, 8-4-4-4-12 hex digits); anything else is refused
// before it goes into a script.
bool is_vm_id(const std::string &text);

} // namespace machine
