// The libvirt provider's pure parts against golden output: the domain XML of one example machine
// (direct boot with a shared folder; UEFI on arm64), the storage pool and volumes, the names and
// the connection chosen, and the channel sockets read from a running domain's XML as libvirt 9
// writes it.
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/libvirt_names.h"
#include "providers/libvirt/live_xml.h"
#include "providers/libvirt/storage_xml.h"

#include <catch2/catch.hpp>

using namespace machine;

namespace {

const std::string pool = "/var/lib/libvirt/images/machine/";

// `dev`: 4 CPUs, 4 GiB, direct boot, the home shared and a read-only folder with a quote in it.
LibvirtDomain example_domain() {
    LibvirtDomain d;
    d.name = "machine-dev";
    d.owner = "/home/me/.local/share/machine/machines/dev";
    d.arch = "x86_64";
    d.cpus = 4;
    d.memory_mib = 4096;
    d.disk = pool + "machine-dev.qcow2";
    d.kernel = pool + "machine-sha256-ab.vmlinuz";
    d.initrd = pool + "machine-sha256-ab.initrd";
    d.cmdline = "root=PARTUUID=45df rw quiet";
    d.ignition = pool + "machine-dev.ign";
    d.console_log = "/home/me/.local/share/machine/machines/dev/console.log";
    d.mounts = {{"/home/me", "/home/me", false}, {"/srv/it's", "/data", true}};
    return d;
}

} // namespace

TEST_CASE("libvirt: the domain of a direct-boot machine with shared folders") {
    CHECK(domain_xml(example_domain()) ==
          R"(<domain type='qemu' xmlns:machine='https://github.com/machine/machine/libvirt/1'>
  <name>machine-dev</name>
  <metadata>
    <machine:owner>/home/me/.local/share/machine/machines/dev</machine:owner>
  </metadata>
  <memory unit='MiB'>4096</memory>
  <vcpu>4</vcpu>
  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
  </memoryBacking>
  <sysinfo type='fwcfg'>
    <entry name='opt/com.coreos/config' file='/var/lib/libvirt/images/machine/machine-dev.ign'/>
  </sysinfo>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>/var/lib/libvirt/images/machine/machine-sha256-ab.vmlinuz</kernel>
    <initrd>/var/lib/libvirt/images/machine/machine-sha256-ab.initrd</initrd>
    <cmdline>root=PARTUUID=45df rw quiet console=ttyS0</cmdline>
  </os>
  <features>
    <acpi/>
    <tcg>
      <tb-cache unit='MiB'>256</tb-cache>
    </tcg>
  </features>
  <cpu mode='maximum'/>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='/var/lib/libvirt/images/machine/machine-dev.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <model type='virtio'/>
      <alias name='ua-net0'/>
    </interface>
    <serial type='file'>
      <source path='/home/me/.local/share/machine/machines/dev/console.log'/>
    </serial>
    <channel type='unix'>
      <source mode='bind'/>
      <target type='virtio' name='org.fedoraproject.port.0'/>
    </channel>
    <channel type='unix'>
      <source mode='bind'/>
      <target type='virtio' name='org.machine.mux.0'/>
    </channel>
    <filesystem type='mount' accessmode='passthrough'>
      <driver type='virtiofs'/>
      <source dir='/home/me'/>
      <target dir='vol0'/>
    </filesystem>
    <filesystem type='mount' accessmode='passthrough'>
      <driver type='virtiofs'/>
      <source dir='/srv/it&apos;s'/>
      <target dir='vol1'/>
      <readonly/>
    </filesystem>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
    <memballoon model='virtio' freePageReporting='on'/>
  </devices>
</domain>
)");
}

TEST_CASE("libvirt: a domain defined again keeps its UUID, and KVM takes the host's CPU") {
    auto d = example_domain();
    d.uuid = "5c6a9a4e-4a8e-4c47-9b0e-3f1f0e0e2a11";
    d.kvm = true;
    auto xml = domain_xml(d);
    CHECK(xml.find("<domain type='kvm' ") == 0);
    CHECK(
        xml.find(
            "  <name>machine-dev</name>\n  <uuid>5c6a9a4e-4a8e-4c47-9b0e-3f1f0e0e2a11</uuid>\n") !=
        std::string::npos);
    CHECK(xml.find("<cpu mode='host-passthrough'/>") != std::string::npos);
    CHECK(xml.find("<tcg>") == std::string::npos); // TCG's translation cache: not under KVM
}

TEST_CASE(
    "libvirt: an image without a kernel boots by UEFI, without Secure Boot, on arm64's virt") {
    auto d = example_domain();
    d.arch = "aarch64";
    d.kernel = d.initrd = d.cmdline = "";
    d.mounts.clear();
    d.ignition.clear();
    auto xml = domain_xml(d);
    CHECK(xml.find("  <os firmware='efi'>\n"
                   "    <type arch='aarch64' machine='virt'>hvm</type>\n"
                   "    <firmware>\n"
                   "      <feature enabled='no' name='secure-boot'/>\n"
                   "    </firmware>\n"
                   "  </os>\n") != std::string::npos);
    CHECK(xml.find("<kernel>") == std::string::npos);
    CHECK(xml.find("<sysinfo") == std::string::npos);        // no Ignition: no fw_cfg entry
    CHECK(xml.find("<memoryBacking>") == std::string::npos); // no folders: private memory
    CHECK(xml.find("<filesystem") == std::string::npos);
}

TEST_CASE("libvirt: an arm64 direct boot's console is ttyAMA0, and one given is kept") {
    auto d = example_domain();
    d.arch = "aarch64";
    CHECK(domain_xml(d).find("<cmdline>root=PARTUUID=45df rw quiet console=ttyAMA0</cmdline>") !=
          std::string::npos);
    d.cmdline = "console=hvc0 quiet";
    CHECK(domain_xml(d).find("<cmdline>console=hvc0 quiet</cmdline>") != std::string::npos);
}

TEST_CASE("libvirt: text in the XML is escaped") {
    CHECK(xml_escape("a&b<c>d'e\"f") == "a&amp;b&lt;c&gt;d&apos;e&quot;f");
    auto d = example_domain();
    d.owner = "/home/<me>";
    CHECK(domain_xml(d).find("<machine:owner>/home/&lt;me&gt;</machine:owner>") !=
          std::string::npos);
}

TEST_CASE("libvirt: our storage pool and volumes") {
    CHECK(pool_xml("machine", "/var/lib/libvirt/images/machine") == R"(<pool type='dir'>
  <name>machine</name>
  <target>
    <path>/var/lib/libvirt/images/machine</path>
    <permissions>
      <mode>0711</mode>
    </permissions>
  </target>
</pool>
)");
    CHECK(volume_xml({"machine-dev.qcow2", 21474836480, "qcow2", "0600",
                      pool + "machine-sha256-ab.qcow2", "qcow2"}) == R"(<volume>
  <name>machine-dev.qcow2</name>
  <capacity unit='bytes'>21474836480</capacity>
  <target>
    <format type='qcow2'/>
    <permissions>
      <mode>0600</mode>
    </permissions>
  </target>
  <backingStore>
    <path>/var/lib/libvirt/images/machine/machine-sha256-ab.qcow2</path>
    <format type='qcow2'/>
  </backingStore>
</volume>
)");
    auto config = volume_xml({"machine-dev.ign", 1234, "raw", "0600", "", ""});
    CHECK(config.find("<backingStore>") == std::string::npos);
    CHECK(config.find("<capacity unit='bytes'>1234</capacity>") != std::string::npos);
}

TEST_CASE("libvirt: the connection a new machine is made on") {
    CHECK(libvirt_uri(nullptr, true) == "qemu:///system");
    CHECK(libvirt_uri(nullptr, false) == "qemu:///session");
    CHECK(libvirt_uri("", false) == "qemu:///session");
    CHECK(libvirt_uri("qemu+ssh://me@big/system", false) == "qemu+ssh://me@big/system");
    CHECK(is_system_uri("qemu:///system"));
    CHECK(is_system_uri("qemu+ssh://me@big/system?keyfile=/k"));
    CHECK_FALSE(is_system_uri("qemu:///session"));
    CHECK(is_remote_uri("qemu+ssh://me@big/system?keyfile=/k"));
    CHECK(is_remote_uri("qemu+ssh://big:2222/system"));
    CHECK(is_remote_uri("qemu://big/system"));
    CHECK_FALSE(is_remote_uri("qemu:///system"));
    CHECK_FALSE(is_remote_uri("qemu+unix:///session?socket=/run/s"));
    CHECK_FALSE(is_remote_uri("qemu+ssh://me@/system"));
    CHECK(remote_console_log("dev") == "/var/log/libvirt/qemu/machine-dev.console.log");
    CHECK(libvirt_pool_path("qemu:///system", "/home/me/.local/share") ==
          "/var/lib/libvirt/images/machine");
    CHECK(libvirt_pool_path("qemu:///session", "/home/me/.local/share") ==
          "/home/me/.local/share/libvirt/images/machine");
}

TEST_CASE("libvirt: what a machine's things are called on the libvirt host") {
    CHECK(libvirt_domain_name("dev") == "machine-dev");
    CHECK(overlay_volume_name("dev") == "machine-dev.qcow2");
    CHECK(config_volume_name("dev") == "machine-dev.ign");
    CHECK(base_volume_name("/home/me/.local/share/machine/images/sha256-ab.qcow2") ==
          "machine-sha256-ab.qcow2");
}

TEST_CASE("libvirt: the channel sockets of a running domain, as libvirt writes them") {
    // From `virsh dumpxml` of a running machine (libvirt 9.0), one path made to need unescaping.
    const std::string live = R"(    <console type='file'>
      <source path='/root/console.log'/>
    </console>
    <channel type='unix'>
      <source mode='bind' path='/var/lib/libvirt/qemu/channel/target/domain-1-machine-dev/org.fedoraproject.port.0'/>
      <target type='virtio' name='org.fedoraproject.port.0' state='disconnected'/>
      <alias name='channel0'/>
      <address type='virtio-serial' controller='0' bus='0' port='1'/>
    </channel>
    <channel type='unix'>
      <source mode='bind' path='/var/lib/libvirt/qemu/channel/target/domain-1-it&apos;s/org.machine.mux.0'/>
      <target type='virtio' name='org.machine.mux.0' state='connected'/>
      <alias name='channel1'/>
      <address type='virtio-serial' controller='0' bus='0' port='2'/>
    </channel>
)";
    CHECK(channel_socket(live, "org.fedoraproject.port.0") ==
          "/var/lib/libvirt/qemu/channel/target/domain-1-machine-dev/org.fedoraproject.port.0");
    CHECK(channel_socket(live, "org.machine.mux.0") ==
          "/var/lib/libvirt/qemu/channel/target/domain-1-it's/org.machine.mux.0");
    CHECK(channel_socket(live, "org.qemu.guest_agent.0").empty());
    CHECK(channel_socket("<domain/>", "org.machine.mux.0").empty());
}
