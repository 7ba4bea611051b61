#pragma once
// What `init` writes for the guest's first boot: the client key, the guest's host key (pinned in
// the config), and the Ignition config or cloud-init seed the image expects.
#include "machine/layout.h"
#include "machine/machine_config.h"

namespace machine::provisioning {

// Writes the keys and the provisioning config into the machine's data folder and sets
// `config.ssh.host_key_fingerprint`. Every file holding a secret is 0600 whatever the umask.
void provision(MachineConfig &config, const Layout &layout);

} // namespace machine::provisioning
