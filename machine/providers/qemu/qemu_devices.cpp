#include "providers/qemu/qemu_devices.h"

#include "machine/errors.h"
#include "machine/printable.h"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace machine {

namespace {

struct Choice {
    std::string_view key;
    std::string QemuDevices::*field;
    std::vector<std::string_view> accepted;
};

const std::vector<Choice> &choices() {
    static const std::vector<Choice> all{
        {"disk", &QemuDevices::disk, {"virtio-blk", "virtio-scsi", "virtio-mmio"}},
        {"console", &QemuDevices::console, {"serial", "virtio"}},
        {"config", &QemuDevices::config, {"fw_cfg", "seed-disk"}},
    };
    return all;
}

[[noreturn]] void reject(const std::string &problem) {
    throw InvalidInput(std::string(qemu_devices_variable),
                       fmt::format("{}: {}", qemu_devices_variable, problem));
}

} // namespace

QemuDevices parse_qemu_devices(std::string_view spec, const std::string &arch) {
    QemuDevices devices;
    while (!spec.empty()) {
        auto comma = spec.find(',');
        auto item = spec.substr(0, comma);
        spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
        auto equals = item.find('=');
        auto key = item.substr(0, equals);
        auto choice = std::find_if(choices().begin(), choices().end(),
                                   [&](const Choice &c) { return c.key == key; });
        if (equals == std::string_view::npos || choice == choices().end())
            reject(fmt::format("\"{}\" is not KEY=VALUE with KEY disk, console or config",
                               printable(std::string(item))));
        auto value = item.substr(equals + 1);
        if (std::find(choice->accepted.begin(), choice->accepted.end(), value) ==
            choice->accepted.end())
            reject(fmt::format("{}=\"{}\" is not one of {}", key, printable(std::string(value)),
                               fmt::join(choice->accepted, ", ")));
        devices.*choice->field = std::string(value);
    }
    if (devices.disk == "virtio-mmio" && arch != "aarch64")
        reject("disk=virtio-mmio needs an aarch64 guest (QEMU's virt machine); use virtio-blk or "
               "virtio-scsi");
    return devices;
}

void store_qemu_devices(const QemuDevices &devices, std::map<std::string, std::string> &state) {
    const QemuDevices defaults;
    for (const auto &choice : choices())
        if (devices.*choice.field != defaults.*choice.field) // most machines keep none
            state[std::string(choice.key)] = devices.*choice.field;
}

QemuDevices stored_qemu_devices(const std::map<std::string, std::string> &state) {
    QemuDevices devices;
    for (const auto &choice : choices())
        if (auto found = state.find(std::string(choice.key)); found != state.end())
            devices.*choice.field = found->second;
    return devices;
}

} // namespace machine
