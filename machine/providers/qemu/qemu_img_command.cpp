#include "providers/qemu/qemu_img_command.h"

namespace machine {

Command qemu_img_create_overlay(const std::string &base, const std::string &base_format,
                                const std::string &overlay, std::uint64_t size_gib) {
    return {"qemu-img",
            {"create", "-q", "-f", "qcow2", "-F", base_format, "-b", base, overlay,
             std::to_string(size_gib) + "G"},
            {}};
}

Command qemu_img_resize(const std::string &disk, std::uint64_t size_gib) {
    return {"qemu-img", {"resize", "-q", "-f", "qcow2", disk, std::to_string(size_gib) + "G"}, {}};
}

Command qemu_img_repair_leaks(const std::string &disk) {
    return {"qemu-img", {"check", "-r", "leaks", "--output=json", "-f", "qcow2", disk}, {}};
}

} // namespace machine
