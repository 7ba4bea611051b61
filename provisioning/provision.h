#pragma once
// What `init` makes for the guest's first boot: the client key, the guest's host key (pinned in
// the config), and the Ignition config or cloud-init data the image expects, rendered here and
// delivered by the provider (Provider::create).
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "machine/provider.h"

namespace machine::provisioning {

// Writes both key pairs into the machine's data folder (private keys 0600 whatever the umask),
// sets `config.ssh.identity_path` and `host_key_fingerprint`, and renders the payload for
// `config.image.provisioning`.
ProvisioningPayload provision(MachineConfig &config, const Layout &layout);

} // namespace machine::provisioning
