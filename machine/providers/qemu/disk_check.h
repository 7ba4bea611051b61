#pragma once
// Before each boot, the machine's disk is checked (`qemu-img check -r leaks`). A QEMU that never
// stopped (killed, crashed, its host lost power) may leave clusters allocated that nothing uses,
// which QEMU would never reuse: they are given back, writing the disk's refcounts only. A disk
// qemu-img finds corrupt is refused with one line instead of failing later inside the guest.
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

// Checks `disk` and gives back its leaked clusters, waiting up to `patience` while another process
// holds it. Returns the notice to give (empty when nothing was given back); throws WrongState when
// the disk stays held or is corrupt. Only where QEMU locks its disks (Linux): elsewhere a QEMU
// still exiting could write beside the repair.
std::string check_disk(ProcessRunner &runner, const std::filesystem::path &disk,
                       const std::string &name, std::chrono::milliseconds patience);

} // namespace machine
