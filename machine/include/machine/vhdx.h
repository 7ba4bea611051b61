#pragma once
// The one fact we need from a VHDX (Hyper-V's disk format) without Hyper-V: the size of the disk
// its guest sees. Read from the file as Microsoft's VHDX specification (MS-VHDX) lays it out: the
// region table at 192 KiB points to the metadata region, whose table holds the Virtual Disk
// Size item.
#include <cstdint>
#include <istream>
#include <optional>

namespace machine {

// True when `header` (the file's first bytes) starts with the VHDX file signature "vhdxfile".
bool is_vhdx(const unsigned char *header, std::size_t length);

// The virtual disk size in bytes; nullopt when the region table or the metadata is missing or
// malformed (a truncated or damaged file).
std::optional<std::uint64_t> vhdx_virtual_size(std::istream &in);

} // namespace machine
