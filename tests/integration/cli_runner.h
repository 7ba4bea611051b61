#pragma once
// Drives the built `machine` binary like a user does, inside a private temporary store.
#include "machine/command.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace machine::test {

class CliSandbox {
public:
    CliSandbox();
    ~CliSandbox();
    CliSandbox(const CliSandbox &) = delete;
    CliSandbox &operator=(const CliSandbox &) = delete;

    const std::filesystem::path &root() const { return root_; }
    std::filesystem::path config_dir() const { return root_ / "config" / "machine"; }
    std::filesystem::path data_dir() const { return root_ / "data" / "machine"; }

    // Runs `machine ARGS...` with this sandbox's XDG dirs plus `extra_env`.
    ProcessResult run(const std::vector<std::string> &args,
                      const std::map<std::string, std::string> &extra_env = {}) const;

    // A small empty qcow2 image (1 GiB virtual) made with qemu-img.
    std::string image() const { return (root_ / "image.qcow2").string(); }

    // Every path under the store with its size: equal snapshots mean nothing was created or
    // changed. Left out: lock files (made by design, never removed) and `list`'s config index
    // (a cache of the YAML files), and the image cache (shared base images, not a machine).
    std::map<std::string, std::uintmax_t> snapshot() const;

private:
    std::filesystem::path root_;
};

// stderr is exactly one line starting with "Error: ".
bool is_one_error_line(const std::string &err);

} // namespace machine::test
