#include "providers/qemu/uefi_firmware.h"

#include <vector>

namespace machine {

namespace {

struct Candidate {
    const char *code, *vars;
};

std::vector<Candidate> candidates(const std::string &arch) {
    if (arch == "aarch64") // 64 MiB each: QEMU's virt machine wants both pflash units that size
        return {{"/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd"},
                {"/opt/homebrew/share/qemu/edk2-aarch64-code.fd",
                 "/opt/homebrew/share/qemu/edk2-arm-vars.fd"},
                {"/usr/local/share/qemu/edk2-aarch64-code.fd",
                 "/usr/local/share/qemu/edk2-arm-vars.fd"},
                {"/usr/share/qemu/edk2-aarch64-code.fd", "/usr/share/qemu/edk2-arm-vars.fd"}};
    return {
        {"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"},
        {"/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"},
        {"/opt/homebrew/share/qemu/edk2-x86_64-code.fd",
         "/opt/homebrew/share/qemu/edk2-i386-vars.fd"},
        {"/usr/local/share/qemu/edk2-x86_64-code.fd", "/usr/local/share/qemu/edk2-i386-vars.fd"},
        {"/usr/share/qemu/edk2-x86_64-code.fd", "/usr/share/qemu/edk2-i386-vars.fd"}};
}

} // namespace

std::optional<UefiFirmware> find_uefi_firmware(const std::string &arch) {
    for (const auto &candidate : candidates(arch))
        if (std::filesystem::exists(candidate.code) && std::filesystem::exists(candidate.vars))
            return UefiFirmware{candidate.code, candidate.vars};
    return std::nullopt;
}

std::string uefi_firmware_hint(const std::string &arch) {
    return arch == "aarch64" ? "install it (Debian and Ubuntu: apt install qemu-efi-aarch64; "
                               "Homebrew's qemu has it)"
                             : "install it (Debian and Ubuntu: apt install ovmf; Homebrew's qemu "
                               "has it)";
}

} // namespace machine
