#pragma once
// Recognizing a disk image by its contents, not its name.
#include <cstdint>
#include <filesystem>
#include <string>

namespace machine {

struct DiskImageInfo {
    std::string format;             // "qcow2", "raw", "vhdx" or "tar" (a root filesystem, WSL)
    std::uint64_t virtual_size = 0; // bytes the guest sees
    std::string kernel;             // a kernel beside the image ("vmlinuz"), if any
    std::string initrd;             // an initrd beside the image ("initrd"/"initrd.img"), if any
    std::string kernel_cmdline;     // from a manifest.json beside the image, if any
    std::string provisioning;       // "ignition" or "cloud-init" from the manifest; "" unknown
};

// Reads the header of `path`: a qcow2 image (magic "QFI\xfb"), a VHDX ("vhdxfile"), a raw disk
// with an MBR or GPT partition table, or a tar archive ("ustar" at 257) of a root filesystem.
// Throws InvalidInput("--image") naming the path and what is accepted when it is missing, a folder
// or not a disk image. A `manifest.json` beside the image (as guest-image/ writes) supplies the
// kernel command line and the provisioning kind.
DiskImageInfo inspect_disk_image(const std::filesystem::path &path);

// The kernel ("vmlinuz") and initrd ("initrd" or "initrd.img") beside an image, as guest-image/
// leaves them for a direct boot: their paths, or "" when there is none.
std::string kernel_beside(const std::filesystem::path &image);
std::string initrd_beside(const std::filesystem::path &image);

} // namespace machine
