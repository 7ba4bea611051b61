#pragma once
// Parsers for the resource flags: each throws InvalidInput naming its flag and what is accepted.
#include <cstdint>
#include <string_view>

namespace machine {

inline constexpr std::uint64_t min_memory_mib = 512;
inline constexpr std::uint64_t max_memory_mib = 4ull << 20; // 4 TiB
inline constexpr std::uint64_t max_disk_gib = 64ull << 10;  // 64 TiB

// "4096" (MiB, as podman), or with a unit: "4G", "4GiB", "512M", "1T". At least 512 MiB.
std::uint64_t parse_memory_mib(std::string_view text);

// "100" (GiB, as podman), or with a unit: "100G", "1T". At least 1 GiB.
std::uint64_t parse_disk_gib(std::string_view text);

// A whole number of virtual CPUs from 1 to `host_cpus`.
int parse_cpus(std::string_view text, int host_cpus);

} // namespace machine
