#pragma once
// Disk images in miniature for the tests: the first bytes inspect_disk_image recognizes each
// format by, stamped on whatever bytes a test gives.
#include <algorithm>
#include <cstdint>
#include <string>

namespace machine::test {

// A qcow2 version 3 header (magic, version, virtual size: big-endian) over the first 104 bytes
// (or all of them, when there are fewer: at least 32).
inline std::string as_qcow2(std::string bytes, std::uint64_t virtual_size) {
    std::fill_n(bytes.begin(), std::min<std::size_t>(104, bytes.size()), '\0');
    bytes.replace(0, 4, "QFI\xfb");
    bytes[7] = 3;
    for (int i = 0; i < 8; ++i)
        bytes[24 + i] = char((virtual_size >> (56 - 8 * i)) & 0xff);
    return bytes;
}

// A raw disk with an MBR partition table: its boot signature.
inline std::string as_mbr(std::string bytes) {
    bytes[510] = char(0x55);
    bytes[511] = char(0xaa);
    return bytes;
}

} // namespace machine::test
