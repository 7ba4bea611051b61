#pragma once
// A Mac as the Apple providers see it, on this host: the fake vfkit under the names vfkit and
// krunkit, and the fake gvproxy, in a folder of the test's own (the fakes know their role by the
// name they run by), and an AppleHost naming them. FAKE_VFKIT and FAKE_GVPROXY are the built
// fakes (tests/CMakeLists.txt).
#include "providers/apple/apple_host.h"
#include "temp_dir.h"

#include <filesystem>

namespace machine::test {

struct FakeApple {
    TempDir dir;
    AppleHost host;

    explicit FakeApple(const std::string &arch = "aarch64") {
        auto bin = dir.path / "bin";
        std::filesystem::create_directories(bin);
        std::filesystem::create_symlink(FAKE_VFKIT, bin / "vfkit");
        std::filesystem::create_symlink(FAKE_VFKIT, bin / "krunkit");
        std::filesystem::create_symlink(FAKE_GVPROXY, bin / "gvproxy");
        host = {platform::HostOs::macos,  arch, bin / "vfkit", bin / "krunkit", bin / "gvproxy",
                dir.path / "dhcpd_leases"};
    }
};

} // namespace machine::test
