#pragma once
// The manifest.json that guest-image/ writes beside its disk, kernel and initrd.
#include <filesystem>
#include <map>
#include <string>

namespace machine {

struct ImageManifest {
    bool found = false;
    std::string kernel_cmdline;
    std::string provisioning;                  // "ignition", "cloud-init" or ""
    std::string arch;                          // the guest's: "x86_64", "aarch64" or "" (unsaid)
    std::map<std::string, std::string> sha256; // file name -> lower-case hex digest
    // provider -> the file of this folder it takes ("wsl": "rootfs.tar.zst")
    std::map<std::string, std::string> formats;
};

// Reads `folder`/manifest.json; `found` is false when there is none. Throws InvalidInput("--image")
// naming the file when it is not a JSON object or a known key has the wrong type (as
// inspect_disk_image() does).
ImageManifest read_image_manifest(const std::filesystem::path &folder);

} // namespace machine
