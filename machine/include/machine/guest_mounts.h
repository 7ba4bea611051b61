#pragma once
// A running guest's host folders, unmounted for `stop --suspend` (QEMU cannot save a VM while 9p
// serves a mount) and mounted again after the resume, over SSH. A mark in the machine's runtime
// folder says they are unmounted, so the next `start` mends a suspend killed halfway.
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "machine/provider.h"

namespace machine {

// Unmounts the machine's host folders in the guest reached at `ssh` (mounted false), or mounts
// them again. Throws WrongState when the guest cannot: refused before anything changes while a
// rootless container's slirp4netns holds them.
void set_guest_mounts(const MachineConfig &config, const SshEndpoint &ssh, const Layout &layout,
                      bool mounted);

// True while an unmount for a suspend is not undone.
bool guest_folders_unmounted(const Layout &layout);

} // namespace machine
