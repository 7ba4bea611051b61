#pragma once
// The QEMU launch plan: a pure function from a machine's config to the exact command line.
#include "machine/command.h"
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "providers/qemu/accelerator.h"
#include "providers/qemu/qemu_devices.h"

#include <string>

namespace machine {

// Host-side facts the plan depends on, given explicitly so the plan stays pure.
struct QemuHost {
    Accelerator accelerator = Accelerator::tcg;
    std::string firmware_code; // UEFI, for an image without its own kernel; x86_64: "" is SeaBIOS
    QemuDevices devices;
    std::string host_os = "linux"; // as AcceleratorFacts names it; "windows" has the ready pipe
};

Command qemu_launch_command(const MachineConfig &config, const Layout &layout,
                            const QemuHost &host);

// True when host folders go over virtiofs (init chose it: "mount_type" in the provider state);
// else over 9p, as for every machine made before virtiofs.
bool shares_over_virtiofs(const MachineConfig &config);

// True when the image brings no kernel and initrd of its own: UEFI firmware boots the disk.
bool boots_by_firmware(const MachineConfig &config);

// The qemu-system binary for a guest architecture.
std::string qemu_system_binary(const std::string &guest_arch);

} // namespace machine
