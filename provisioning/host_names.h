#pragma once
// The host by name from the guest and its containers: `host.docker.internal` and
// `host.containers.internal` in the guest's /etc/hosts, at the provider's host address. podman
// copies the guest's /etc/hosts into every container's and then adds its own
// host.containers.internal only when the name is not there yet, so containers get ours.
//
// Under QEMU's user network the host is 10.0.2.2, which is also slirp4netns's own gateway in a
// rootless container (its default range is 10.0.2.0/24): there the name would lead back to the
// guest. So rootless containers get another range, and 10.0.2.2 leaves them through the guest.
#include "provisioning/proxy_files.h"

#include <vector>

namespace machine::provisioning {

// /etc/hosts (always: the image's lines, plus the host's names when its address is known), and
// the containers.conf drop-in that moves slirp4netns where 10.0.2.2 is the host's.
std::vector<GuestFile> host_name_files(const GuestSettings &s);

} // namespace machine::provisioning
