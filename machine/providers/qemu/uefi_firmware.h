#pragma once
// The UEFI firmware a disk without its own kernel boots with: the read-only code, and the
// variable store each machine gets a copy of (a fresh one has no boot entries, so the firmware
// takes the disk's removable path, \EFI\BOOT\BOOT*.EFI).
#include <filesystem>
#include <optional>
#include <string>

namespace machine {

struct UefiFirmware {
    std::filesystem::path code, vars_template;
};

// Where Debian (ovmf, qemu-efi-aarch64), Homebrew and QEMU for Windows keep them for `arch`
// ("x86_64", "aarch64"); nullopt when none is installed.
std::optional<UefiFirmware> find_uefi_firmware(const std::string &arch);

// What to install to get it, for the message when it is missing.
std::string uefi_firmware_hint(const std::string &arch);

} // namespace machine
