#pragma once
// The storage a machine keeps on the libvirt host, as XML: one pool of ours, the base images
// uploaded into it once (named by digest, so shared by every machine made from one image), and
// each machine's overlay and Ignition config. Volumes, not local paths: QEMU may run as another
// user (qemu:///system) or on another host (qemu+ssh://), and libvirt gives it access to what is
// in its pools.
#include <cstdint>
#include <string>

namespace machine {

// A directory pool named `name` at `path`.
std::string pool_xml(const std::string &name, const std::string &path);

struct VolumeSpec {
    std::string name;
    std::uint64_t capacity_bytes = 0;
    std::string format = "raw"; // "raw" or "qcow2"
    std::string mode = "0600";  // the file's permissions on the libvirt host
    std::string backing_path;   // a qcow2 overlay's base volume; "" none
    std::string backing_format; // the base's format
};

std::string volume_xml(const VolumeSpec &volume);

// A volume in a pool, as libvirt lists it.
struct PoolVolume {
    std::string name;
    std::string path;
    std::string xml; // libvirt's description of it
};

} // namespace machine
