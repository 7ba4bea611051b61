#include "providers/apple/apple_host.h"

namespace machine {

std::filesystem::path find_apple_helper(const std::string &program) {
    if (auto found = platform::find_program(program); !found.empty())
        return found;
    // podman's own helper folders on macOS (containers.conf helper_binaries_dir), its installer's
    // first.
    for (const char *dir :
         {"/opt/podman/libexec/podman", "/opt/podman/bin",
          "/opt/homebrew/opt/podman/libexec/podman", "/usr/local/opt/podman/libexec/podman",
          "/opt/homebrew/bin", "/usr/local/bin", "/usr/local/libexec/podman"}) {
        std::error_code error;
        auto candidate = std::filesystem::path(dir) / program;
        if (std::filesystem::is_regular_file(candidate, error))
            return candidate;
    }
    return {};
}

AppleHost AppleHost::here() {
    AppleHost host;
    host.os = platform::host_os();
    host.arch = platform::host_arch();
    if (host.os == platform::HostOs::macos) { // nowhere else could they run
        host.vfkit = find_apple_helper("vfkit");
        host.krunkit = find_apple_helper("krunkit");
        host.gvproxy = find_apple_helper("gvproxy");
    }
    return host;
}

} // namespace machine
