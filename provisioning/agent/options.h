#pragma once
// The agent's command line. In the guest it runs with no flags; the flags exist for tests and
// for trying a config by hand against a folder.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace machine::agent {

struct Options {
    // Every guest path is taken under this prefix. Anything but "/" is a dry run for the
    // programs the agent would run (logged, not run) and skips growing the filesystem.
    std::filesystem::path root = "/";
    std::optional<std::filesystem::path> config;     // default: ROOT + the fw_cfg path
    std::optional<std::filesystem::path> ready_port; // default: ROOT + the virtio-serial port
    bool wait = true;                                // false: send Ready without waiting
    std::uint32_t vsock_cid = 2; // where the host is over vsock (tests: 1, vsock_loopback)
    std::chrono::seconds timeout{120};
    // --serve-api: serve the host's API forwarder on the machine-mux port (api_server.h) instead.
    bool serve_api = false;
    std::optional<std::filesystem::path> mux_port; // default: ROOT + the mux virtio-serial port
    // --mux-stdio: serve one host forwarder on stdin and stdout until it goes (WSL: the host runs
    // `wsl.exe -d DIST -u root machine-agent --mux-stdio`).
    bool mux_stdio = false;
    bool help = false;
};

// --config FILE, --root DIR, --ready-port PATH, --no-wait, --timeout SECONDS, --serve-api,
// --mux-port PATH, --mux-stdio, --vsock-cid N, --help; each
// value flag also as --flag=VALUE. Throws UsageError.
Options parse_options(int argc, const char *const argv[]);

std::string usage();

} // namespace machine::agent
