#pragma once
// Which of a removed machine's base images nothing in our pool stands on any more. A base is
// shared by every machine made from one image, maybe by clients on other hosts (a remote pool),
// so it is judged by what libvirt itself holds, not by this host's machines: a volume backing
// onto it, or a domain naming it (a kernel or an initrd booted directly).
#include "providers/libvirt/storage_xml.h"

#include <set>
#include <string>
#include <vector>

namespace machine {

// The path of the base a volume's XML says it backs onto, or "".
std::string backing_path(const std::string &volume_xml);

// The `candidates` (base volume names) in `volumes` that no volume backs onto, no domain's XML
// names and no upload is under way for (its ".uploading" marker stands), sorted.
std::vector<std::string> unused_base_volumes(const std::set<std::string> &candidates,
                                             const std::vector<PoolVolume> &volumes,
                                             const std::vector<std::string> &domain_xmls);

} // namespace machine
