#pragma once
// A machine's libvirt domain: a pure function from what the glue gathered to the domain XML. The
// guest contract is the QEMU provider's: Ignition through fw_cfg, Ready and machine-mux on
// virtio-serial ports, the console on the first serial port, host folders by tag (vol0, vol1...).
#include "machine/volume.h"

#include <cstdint>
#include <string>
#include <vector>

namespace machine {

struct LibvirtDomain {
    std::string name;  // "machine-NAME" (libvirt_names.h)
    std::string uuid;  // the defined domain's, when defining it again; "" lets libvirt choose
    std::string owner; // which machine, of which store, defined it (<metadata>)
    bool kvm = false;  // else TCG (domain type "qemu")
    std::string arch;  // "x86_64" or "aarch64"
    int cpus = 2;
    std::uint64_t memory_mib = 2048;
    std::string disk;                    // the overlay volume's path on the libvirt host
    std::string kernel, initrd, cmdline; // direct boot; no kernel: UEFI boots the disk
    std::string ignition;                // the config volume's path, read through fw_cfg
    std::string console_log;             // the first serial port's file on the libvirt host
    std::vector<Mount> mounts;           // over virtiofs
};

std::string domain_xml(const LibvirtDomain &domain);

// Text for an XML attribute or element: & < > ' " escaped.
std::string xml_escape(const std::string &text);

// Our own namespace in <metadata>, where the owner is kept: libvirt keeps it and never reads it.
inline constexpr const char *libvirt_metadata_namespace =
    "https://github.com/machine/machine/libvirt/1";

// The netdev QEMU gives the user network of <alias name='ua-net0'/>, for the monitor's hostfwd.
inline constexpr const char *libvirt_netdev = "hostua-net0";

} // namespace machine
