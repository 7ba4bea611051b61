#pragma once
// What the Apple providers (vfkit, krunkit) look at on the host: its OS and CPU, where their
// programs are, and where macOS's DHCP server records the leases of vfkit's NAT network. Tests
// pass their own, so that the glue runs here as on a Mac.
#include "platform/host.h"

#include <filesystem>
#include <string>

namespace machine {

struct AppleHost {
    platform::HostOs os = platform::HostOs::linux;
    std::string arch;              // "aarch64" (Apple Silicon) or "x86_64"
    std::filesystem::path vfkit;   // empty: not installed
    std::filesystem::path krunkit; // likewise
    std::filesystem::path gvproxy; // likewise (krunkit's network)
    std::filesystem::path dhcp_leases = "/var/db/dhcpd_leases";

    static AppleHost here();
};

// The first `program` on PATH, else in the folders podman's installers and Homebrew keep their
// helpers in (where gvproxy usually is); empty when it is nowhere.
std::filesystem::path find_apple_helper(const std::string &program);

} // namespace machine
