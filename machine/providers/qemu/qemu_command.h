#pragma once
// The QEMU launch plan: a pure function from a machine's config to the exact command line.
#include "machine/command.h"
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "providers/qemu/accelerator.h"

#include <string>

namespace machine {

// Host-side facts the plan depends on, given explicitly so the plan stays pure.
struct QemuHost {
    Accelerator accelerator = Accelerator::tcg;
    std::string firmware; // UEFI code image for aarch64 firmware boot; empty on x86_64 (SeaBIOS)
};

Command qemu_launch_command(const MachineConfig &config, const Layout &layout,
                            const QemuHost &host);

// The qemu-system binary for a guest architecture.
std::string qemu_system_binary(const std::string &guest_arch);

// Where Debian (qemu-efi-aarch64), Homebrew and Windows installs keep the aarch64 UEFI code.
std::string find_aarch64_firmware();

} // namespace machine
