#include "providers/qemu/accelerator.h"

#include "machine/errors.h"
#include "platform/host.h"

#include <cstdlib>

namespace machine {

Accelerator pick_accelerator(const AcceleratorFacts &facts) {
    if (facts.host_arch != facts.guest_arch)
        return Accelerator::tcg;
    if (facts.host_os == "linux" && facts.kvm_usable)
        return Accelerator::kvm;
    if (facts.host_os == "darwin")
        return Accelerator::hvf;
    if (facts.host_os == "windows")
        return Accelerator::whpx;
    return Accelerator::tcg;
}

AcceleratorFacts host_accelerator_facts(const std::string &guest_arch) {
    return {platform::host_os_name(), platform::host_arch(), guest_arch, platform::kvm_usable()};
}

Accelerator host_accelerator(const std::string &guest_arch) {
    const char *chosen = std::getenv("MACHINE_ACCEL");
    if (!chosen || !*chosen)
        return pick_accelerator(host_accelerator_facts(guest_arch));
    for (auto accelerator :
         {Accelerator::kvm, Accelerator::hvf, Accelerator::whpx, Accelerator::tcg})
        if (to_string(accelerator) == chosen)
            return accelerator;
    throw InvalidInput("MACHINE_ACCEL", std::string("MACHINE_ACCEL: \"") + chosen +
                                            "\" is not an accelerator; use kvm, hvf, whpx or tcg");
}

std::string to_string(Accelerator accelerator) {
    switch (accelerator) {
    case Accelerator::kvm:
        return "kvm";
    case Accelerator::hvf:
        return "hvf";
    case Accelerator::whpx:
        return "whpx";
    case Accelerator::tcg:
        break;
    }
    return "tcg";
}

std::string accelerator_warning(Accelerator accelerator) {
    if (accelerator != Accelerator::tcg)
        return {};
    return "no hardware virtualization (/dev/kvm, HVF or WHPX) is usable: "
           "falling back to software emulation (TCG), which is much slower";
}

} // namespace machine
