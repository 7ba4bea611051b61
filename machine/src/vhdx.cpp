#include "machine/vhdx.h"

#include <array>
#include <cstring>
#include <string_view>

namespace machine {

namespace {

// GUIDs as they are stored: the first three fields little-endian, the last eight bytes as is.
using Guid = std::array<unsigned char, 16>;
constexpr Guid metadata_region{0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b,
                               0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e};
constexpr Guid virtual_disk_size{0x24, 0x42, 0xa5, 0x2f, 0x1b, 0xcd, 0x76, 0x48,
                                 0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8};

constexpr std::uint64_t region_table_offset = 192 * 1024;
constexpr std::uint32_t max_entries = 2047; // both tables' limit in the specification

std::uint64_t little_endian(const unsigned char *bytes, int size) {
    std::uint64_t value = 0;
    for (int i = size - 1; i >= 0; --i)
        value = value << 8 | bytes[i];
    return value;
}

bool read_at(std::istream &in, std::uint64_t offset, unsigned char *into, std::size_t size) {
    in.clear();
    in.seekg(std::streamoff(offset));
    in.read(reinterpret_cast<char *>(into), std::streamsize(size));
    return in && std::size_t(in.gcount()) == size;
}

bool has_signature(const unsigned char *bytes, std::string_view signature) {
    return std::memcmp(bytes, signature.data(), signature.size()) == 0;
}

// Where the metadata region starts, from the region table (16-byte header, 32-byte entries).
std::optional<std::uint64_t> metadata_offset(std::istream &in) {
    unsigned char header[16];
    if (!read_at(in, region_table_offset, header, sizeof header) || !has_signature(header, "regi"))
        return std::nullopt;
    auto entries = std::uint32_t(little_endian(header + 8, 4));
    for (std::uint32_t i = 0; i < entries && i < max_entries; ++i) {
        unsigned char entry[32];
        if (!read_at(in, region_table_offset + 16 + 32ull * i, entry, sizeof entry))
            return std::nullopt;
        if (std::memcmp(entry, metadata_region.data(), 16) == 0)
            return little_endian(entry + 16, 8);
    }
    return std::nullopt;
}

} // namespace

bool is_vhdx(const unsigned char *header, std::size_t length) {
    return length >= 8 && has_signature(header, "vhdxfile");
}

std::optional<std::uint64_t> vhdx_virtual_size(std::istream &in) {
    auto region = metadata_offset(in);
    unsigned char header[32];
    if (!region || !read_at(in, *region, header, sizeof header) ||
        !has_signature(header, "metadata"))
        return std::nullopt;
    auto entries = std::uint32_t(little_endian(header + 10, 2));
    for (std::uint32_t i = 0; i < entries && i < max_entries; ++i) {
        unsigned char entry[32];
        if (!read_at(in, *region + 32 + 32ull * i, entry, sizeof entry))
            return std::nullopt;
        if (std::memcmp(entry, virtual_disk_size.data(), 16) != 0)
            continue;
        unsigned char size[8];
        if (little_endian(entry + 20, 4) < 8 ||
            !read_at(in, *region + little_endian(entry + 16, 4), size, sizeof size))
            return std::nullopt;
        return little_endian(size, 8);
    }
    return std::nullopt;
}

} // namespace machine
