#pragma once
// Before each boot, the machine's disk is checked: the clusters a QEMU that never stopped (killed,
// crashed, its host lost power) left allocated and unused are given back, since QEMU would never
// reuse them, and a disk qemu-img finds corrupt is refused with one line instead of failing later
// inside the guest. It reads metadata only: a few milliseconds on a small disk.
#include "machine/command.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace machine {

// What `qemu-img check -r leaks --output=json` said.
struct DiskCheck {
    bool locked = false; // another process holds the disk: a QEMU killed a moment ago, exiting
    std::uint64_t leaks_fixed = 0;
    std::uint64_t corruptions = 0;
};

// Reads one run of qemu_img_repair_leaks; throws ProcessFailed where qemu-img could not check
// for another reason than a lock.
DiskCheck read_disk_check(const Command &command, const ProcessResult &result);

// Checks and repairs `disk`, waiting up to `patience` while it is locked. Returns the notice to
// give (empty when nothing was repaired); throws WrongState when the disk is corrupt.
std::string repair_disk(ProcessRunner &runner, const std::filesystem::path &disk,
                        const std::string &name, std::chrono::milliseconds patience);

} // namespace machine
