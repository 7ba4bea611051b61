#pragma once
// The plain files both renderers (Ignition, cloud-init) write from the settings, gathered in one
// place so the two cannot drift apart: the proxy's and the CAs' (proxy_files.h), and the host's
// names (host_names.h).
#include "provisioning/proxy_files.h"

#include <vector>

namespace machine::provisioning {

std::vector<GuestFile> guest_files(const GuestSettings &s);

} // namespace machine::provisioning
