#pragma once
// Which base images in our pool nothing stands on any more. A base is shared by every machine
// made from one image, maybe by clients on other hosts (a remote pool), so it is judged by what
// libvirt itself holds, not by this host's machines: a volume backing onto it, or a domain naming
// it (a kernel or an initrd booted directly).
#include <string>
#include <vector>

namespace machine {

struct PoolVolume {
    std::string name;
    std::string path;
    std::string xml; // libvirt's description of it
};

// The path of the base a volume's XML says it backs onto, or "".
std::string backing_path(const std::string &volume_xml);

// The names of the base volumes (base_volume_name's form) that no volume backs onto, no domain's
// XML names and no upload is under way for (its ".uploading" marker stands), sorted.
std::vector<std::string> unused_base_volumes(const std::vector<PoolVolume> &volumes,
                                             const std::vector<std::string> &domain_xmls);

} // namespace machine
