#pragma once
// Which devices a QEMU machine shows its guest, chosen once at init and kept in the machine's
// provider state. The defaults are the fast ones; the others show the guest a disk, console or
// config the way another hypervisor would (virtio-scsi's sda as Hyper-V, virtio-mmio and hvc0 as
// libkrun and vfkit, a seed disk), so the one guest image is tried against each here. Chosen by
// MACHINE_QEMU_DEVICES="disk=virtio-scsi,console=virtio,config=seed-disk" at `machine init`.
#include <map>
#include <string>
#include <string_view>

namespace machine {

struct QemuDevices {
    std::string disk = "virtio-blk"; // "virtio-blk" (vda), "virtio-scsi" (sda), "virtio-mmio"
    std::string console = "serial";  // "serial" (ttyS0, ttyAMA0) or "virtio" (hvc0)
    std::string config = "fw_cfg";   // how the Ignition config goes in: "fw_cfg" or "seed-disk"

    bool operator==(const QemuDevices &) const = default;
};

inline constexpr std::string_view qemu_devices_variable = "MACHINE_QEMU_DEVICES";

// Reads "key=value,..." for a guest of `arch`; throws InvalidInput naming MACHINE_QEMU_DEVICES
// and what each key accepts.
QemuDevices parse_qemu_devices(std::string_view spec, const std::string &arch);

// As kept in MachineConfig::provider_state, and back (a machine made before has the defaults).
void store_qemu_devices(const QemuDevices &devices, std::map<std::string, std::string> &state);
QemuDevices stored_qemu_devices(const std::map<std::string, std::string> &state);

} // namespace machine
