#pragma once
// qemu-img command lines, as data.
#include "machine/command.h"

#include <cstdint>
#include <string>

namespace machine {

// A qcow2 overlay at `overlay` backed by `base` (never written), `size_gib` large.
Command qemu_img_create_overlay(const std::string &base, const std::string &base_format,
                                const std::string &overlay, std::uint64_t size_gib);

Command qemu_img_resize(const std::string &disk, std::uint64_t size_gib);

// Checks `disk` and gives back the clusters allocated but used by nothing; a report in JSON.
Command qemu_img_repair_leaks(const std::string &disk);

} // namespace machine
