#pragma once
// Which QEMU accelerator a host offers, decided from plain facts so it can be tested anywhere.
#include <string>

namespace machine {

enum class Accelerator { kvm, hvf, whpx, tcg };

struct AcceleratorFacts {
    std::string host_os;   // "linux", "darwin", "windows"
    std::string host_arch; // "x86_64", "aarch64"
    std::string guest_arch;
    bool kvm_usable = false; // /dev/kvm opened and answered
};

// Hardware acceleration only when the guest's architecture is the host's; TCG otherwise.
Accelerator pick_accelerator(const AcceleratorFacts &facts);

// The facts of the host this process runs on.
AcceleratorFacts host_accelerator_facts(const std::string &guest_arch);

// The accelerator to use here: $MACHINE_ACCEL (kvm, hvf, whpx or tcg) when set, for hosts where
// a device exists but does not work (nested virtualization), else pick_accelerator().
// Throws InvalidInput("MACHINE_ACCEL") for an unknown name.
Accelerator host_accelerator(const std::string &guest_arch);

std::string to_string(Accelerator accelerator);

// The one-line warning printed when only software emulation is available; empty otherwise.
std::string accelerator_warning(Accelerator accelerator);

} // namespace machine
