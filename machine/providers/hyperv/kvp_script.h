#pragma once
// Hyper-V KVP items through WMI: there is no cmdlet for the host's items, so the scripts call
// Msvm_VirtualSystemManagementService.AddKvpItems / RemoveKvpItems with an embedded
// Msvm_KvpExchangeDataItem (Source 0: the host's pool 0), as Microsoft's own samples do, through
// Windows PowerShell's WMI classes ([WmiClass], Get-WmiObject).
#include "providers/hyperv/kvp_items.h"

#include <string>
#include <vector>

namespace machine {

// Gives the VM `vm_id` its Ignition items. Run on a VM that has none: create() makes a new VM
// each time, and AddKvpItems refuses a name the VM already has.
std::string add_kvp_items_script(const std::string &vm_id, const std::vector<KvpItem> &items);

// Lines (for a script's body) that take `names` out of the VM `vm_id`'s pool, passing over any
// that is not there, and over a VM that is gone.
std::vector<std::string> remove_kvp_items_lines(const std::string &vm_id,
                                                const std::vector<std::string> &names);

} // namespace machine
