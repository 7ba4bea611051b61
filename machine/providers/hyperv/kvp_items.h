#pragma once
// The Ignition config as Hyper-V KVP items, as podman's Hyper-V machines hand it over (libhvee)
// and Ignition's hyperv provider and our agent read it back: `ignition.config.0`, `.1`... in the
// host's pool 0, each value at most 990 bytes (what a KVP value holds in practice), joined in
// order by the guest up to the first missing one.
#include <cstddef>
#include <string>
#include <vector>

namespace machine {

inline constexpr std::size_t kvp_value_max = 990;

struct KvpItem {
    std::string name;
    std::string data;

    bool operator==(const KvpItem &) const = default;
};

// "ignition.config.N".
std::string ignition_kvp_name(std::size_t index);

// `ignition` in pieces of at most kvp_value_max bytes that join back to it byte for byte. A
// piece never ends inside a UTF-8 character (libhvee cuts at 990 bytes whatever is there): each
// value is text to WMI, and half a character would not survive the trip. Nothing for "".
std::vector<KvpItem> ignition_kvp_items(const std::string &ignition);

} // namespace machine
