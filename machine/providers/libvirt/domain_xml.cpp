#include "providers/libvirt/domain_xml.h"

#include <fmt/format.h>

namespace machine {

std::string xml_escape(const std::string &text) {
    std::string escaped;
    for (char c : text) {
        switch (c) {
        case '&':
            escaped += "&amp;";
            break;
        case '<':
            escaped += "&lt;";
            break;
        case '>':
            escaped += "&gt;";
            break;
        case '\'':
            escaped += "&apos;";
            break;
        case '"':
            escaped += "&quot;";
            break;
        default:
            escaped += c;
        }
    }
    return escaped;
}

namespace {

std::string os_xml(const LibvirtDomain &d) {
    bool arm = d.arch == "aarch64";
    auto type = fmt::format("    <type arch='{}' machine='{}'>hvm</type>\n", xml_escape(d.arch),
                            arm ? "virt" : "q35");
    if (d.kernel.empty()) // libvirt picks the firmware and a fresh variable store from its template
        return "  <os firmware='efi'>\n" + type +
               "    <firmware>\n"
               "      <feature enabled='no' name='secure-boot'/>\n"
               "    </firmware>\n"
               "  </os>\n";
    auto console = arm ? "console=ttyAMA0" : "console=ttyS0";
    auto cmdline = d.cmdline;
    if (cmdline.find("console=") == std::string::npos) // the console log reads this port
        cmdline += cmdline.empty() ? console : fmt::format(" {}", console);
    return fmt::format("  <os>\n{}"
                       "    <kernel>{}</kernel>\n"
                       "    <initrd>{}</initrd>\n"
                       "    <cmdline>{}</cmdline>\n"
                       "  </os>\n",
                       type, xml_escape(d.kernel), xml_escape(d.initrd), xml_escape(cmdline));
}

std::string channel_xml(const std::string &port) {
    // No path: libvirt makes the socket where QEMU may (its channel folder) and says where in the
    // live XML (live_xml.h).
    return fmt::format("    <channel type='unix'>\n"
                       "      <source mode='bind'/>\n"
                       "      <target type='virtio' name='{}'/>\n"
                       "    </channel>\n",
                       port);
}

std::string filesystems_xml(const std::vector<Mount> &mounts) {
    std::string xml;
    for (std::size_t i = 0; i < mounts.size(); ++i)
        xml += fmt::format("    <filesystem type='mount' accessmode='passthrough'>\n"
                           "      <driver type='virtiofs'/>\n"
                           "      <source dir='{}'/>\n"
                           "      <target dir='vol{}'/>\n{}"
                           "    </filesystem>\n",
                           xml_escape(mounts[i].host_path), i,
                           mounts[i].read_only ? "      <readonly/>\n" : "");
    return xml;
}

} // namespace

std::string domain_xml(const LibvirtDomain &d) {
    std::string xml =
        fmt::format("<domain type='{}' xmlns:machine='{}'>\n"
                    "  <name>{}</name>\n",
                    d.kvm ? "kvm" : "qemu", libvirt_metadata_namespace, xml_escape(d.name));
    if (!d.uuid.empty())
        xml += fmt::format("  <uuid>{}</uuid>\n", xml_escape(d.uuid));
    xml += fmt::format("  <metadata>\n"
                       "    <machine:owner>{}</machine:owner>\n"
                       "  </metadata>\n"
                       "  <memory unit='MiB'>{}</memory>\n"
                       "  <vcpu>{}</vcpu>\n",
                       xml_escape(d.owner), d.memory_mib, d.cpus);
    if (!d.mounts.empty()) // virtiofsd maps the guest's RAM: it must be shared memory
        xml += "  <memoryBacking>\n"
               "    <source type='memfd'/>\n"
               "    <access mode='shared'/>\n"
               "  </memoryBacking>\n";
    if (!d.ignition.empty())
        xml += fmt::format("  <sysinfo type='fwcfg'>\n"
                           "    <entry name='opt/com.coreos/config' file='{}'/>\n"
                           "  </sysinfo>\n",
                           xml_escape(d.ignition));
    xml += os_xml(d);
    xml += "  <features>\n"
           "    <acpi/>\n";
    if (!d.kvm) // a smaller translation cache, as the QEMU provider's tb-size: QEMU's own memory
        xml += "    <tcg>\n"
               "      <tb-cache unit='MiB'>256</tb-cache>\n"
               "    </tcg>\n";
    xml += "  </features>\n";
    // TCG's "maximum" is every feature it emulates; under KVM, the host's own CPU.
    xml += d.kvm ? "  <cpu mode='host-passthrough'/>\n" : "  <cpu mode='maximum'/>\n";
    xml += "  <clock offset='utc'/>\n"
           "  <on_poweroff>destroy</on_poweroff>\n"
           "  <on_reboot>restart</on_reboot>\n"
           "  <on_crash>destroy</on_crash>\n"
           "  <devices>\n";
    xml += fmt::format("    <disk type='file' device='disk'>\n"
                       "      <driver name='qemu' type='qcow2' discard='unmap'/>\n"
                       "      <source file='{}'/>\n"
                       "      <target dev='vda' bus='virtio'/>\n"
                       "    </disk>\n",
                       xml_escape(d.disk));
    // QEMU's user network, as the QEMU provider has it: SSH and published ports are its hostfwd
    // rules, added through the monitor on the netdev this alias names (libvirt_netdev).
    xml += "    <interface type='user'>\n"
           "      <model type='virtio'/>\n"
           "      <alias name='ua-net0'/>\n"
           "    </interface>\n";
    xml += fmt::format("    <serial type='file'>\n"
                       "      <source path='{}'/>\n"
                       "    </serial>\n",
                       xml_escape(d.console_log));
    xml += channel_xml("org.fedoraproject.port.0") + channel_xml("org.machine.mux.0");
    xml += filesystems_xml(d.mounts);
    xml += "    <rng model='virtio'>\n"
           "      <backend model='random'>/dev/urandom</backend>\n"
           "    </rng>\n"
           // freed guest pages go back to the host, as the QEMU provider's balloon does
           "    <memballoon model='virtio' freePageReporting='on'/>\n"
           "  </devices>\n"
           "</domain>\n";
    return xml;
}

} // namespace machine
