// Which base volumes of our libvirt pool a prune may delete: read from volume XML as libvirt 9
// writes it (vol-dumpxml of an overlay made with --backing-vol) and from our own domain XML.
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/unused_volumes.h"

#include <catch2/catch.hpp>
#include <set>

using namespace machine;

// Named, not anonymous, and holding the tests too: the cross builds compile the unit tests as
// unity files, where another test's anonymous `pool` would meet this one.
namespace unused_volumes_test {

const std::string pool = "/var/lib/libvirt/images/machine/";
const std::string digest_a(64, 'a');
const std::string digest_b(64, 'b');
const std::string digest_c(64, 'c');

// A volume as libvirt describes it: a qcow2 overlay when `backing` is given.
PoolVolume volume(const std::string &name, const std::string &backing = "") {
    std::string xml = "<volume type='file'>\n  <name>" + name + "</name>\n  <target>\n    <path>" +
                      pool + name + "</path>\n    <format type='qcow2'/>\n  </target>\n";
    if (!backing.empty())
        xml += "  <backingStore>\n    <path>" + backing +
               "</path>\n    <format type='qcow2'/>\n    <permissions>\n      <mode>0644</mode>\n"
               "    </permissions>\n  </backingStore>\n";
    return {name, pool + name, xml + "</volume>\n"};
}

std::string base(const std::string &digest, const std::string &extension) {
    return "machine-sha256-" + digest + "." + extension;
}

// A machine's domain booting the kernel and initrd of `digest` directly.
std::string domain_booting(const std::string &digest) {
    LibvirtDomain d;
    d.name = "machine-dev";
    d.arch = "x86_64";
    d.cpus = 2;
    d.memory_mib = 2048;
    d.disk = pool + "machine-dev.qcow2";
    d.kernel = pool + base(digest, "vmlinuz");
    d.initrd = pool + base(digest, "initrd");
    d.cmdline = "root=PARTUUID=45df rw";
    return domain_xml(d);
}

TEST_CASE("libvirt: an overlay's base is read from its volume XML") {
    CHECK(backing_path(volume("machine-dev.qcow2", pool + base(digest_a, "qcow2")).xml) ==
          pool + base(digest_a, "qcow2"));
    CHECK(backing_path(volume(base(digest_a, "qcow2")).xml).empty());
    CHECK(backing_path("<volume><backingStore><path>/a &amp; b/x</path></backingStore></volume>") ==
          "/a & b/x");
}

TEST_CASE("libvirt: a removed machine's base goes only when nothing in libvirt stands on it") {
    std::vector<PoolVolume> volumes = {
        volume(base(digest_a, "qcow2")), // an overlay backs onto it
        volume("machine-dev.qcow2", pool + base(digest_a, "qcow2")),
        volume("machine-dev.ign"),
        volume(base(digest_a, "vmlinuz")), // a domain boots them
        volume(base(digest_a, "initrd")),
        volume(base(digest_b, "qcow2")), // nothing: it goes, with its kernel and initrd
        volume(base(digest_b, "vmlinuz")),
        volume(base(digest_b, "initrd")),
        volume(base(digest_c, "raw")), // an upload under way, or a killed one's half
        volume(base(digest_c, "raw") + ".uploading"),
    };
    std::set<std::string> every_base = {base(digest_a, "qcow2"),   base(digest_a, "vmlinuz"),
                                        base(digest_a, "initrd"),  base(digest_b, "qcow2"),
                                        base(digest_b, "vmlinuz"), base(digest_b, "initrd"),
                                        base(digest_c, "raw")};
    CHECK(unused_base_volumes(every_base, volumes, {domain_booting(digest_a)}) ==
          std::vector<std::string>{base(digest_b, "initrd"), base(digest_b, "qcow2"),
                                   base(digest_b, "vmlinuz")});

    // With no domain naming them, the kernel and initrd of the first image go too; its disk
    // stays while the overlay stands on it.
    CHECK(unused_base_volumes(every_base, volumes, {}) ==
          std::vector<std::string>{base(digest_a, "initrd"), base(digest_a, "vmlinuz"),
                                   base(digest_b, "initrd"), base(digest_b, "qcow2"),
                                   base(digest_b, "vmlinuz")});

    // Only the removed machine's bases are looked at; one not in the pool is nothing to delete.
    CHECK(unused_base_volumes({base(digest_b, "qcow2"), base(digest_a, "raw")}, volumes, {}) ==
          std::vector<std::string>{base(digest_b, "qcow2")});

    // A path that only begins another one names nothing.
    std::set<std::string> b = {base(digest_b, "qcow2")};
    CHECK(unused_base_volumes(b, {volume(base(digest_b, "qcow2"))},
                              {"<domain><disk><source file='" + pool + base(digest_b, "qcow2") +
                               ".old'/></disk></domain>"}) ==
          std::vector<std::string>{base(digest_b, "qcow2")});
    CHECK(unused_base_volumes(b, {volume(base(digest_b, "qcow2"))},
                              {"<domain><disk><source file='" + pool + base(digest_b, "qcow2") +
                               "'/></disk></domain>"})
              .empty());
}

} // namespace unused_volumes_test
