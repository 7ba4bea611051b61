#pragma once
// What `init` makes for the guest's first boot: the client key, the guest's host key (pinned in
// the config), and the Ignition config or cloud-init data the image expects, rendered here and
// delivered by the provider (Provider::create).
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "machine/provider.h"

namespace machine::provisioning {

// What the guest will find that its config does not say: how host folders arrive (the provider's
// share type), whether Apple's Rosetta share is there, and the host's address as the guest sees it
// (ProviderFeatures::host_address).
struct GuestDevices {
    std::string share_type = "9p";
    bool rosetta = false;
    std::string host_address;
};

// Writes both key pairs into the machine's data folder (private keys 0600 whatever the umask),
// sets `config.ssh.identity_path` and `host_key_fingerprint`, and renders the payload for
// `config.image.provisioning`.
ProvisioningPayload provision(MachineConfig &config, const Layout &layout,
                              const GuestDevices &devices = {});

// The payload for `config` with the keys provision() wrote: what `set` hands the provider when
// what the guest is told changed. Throws NotFound when a key is gone.
ProvisioningPayload render_payload(const MachineConfig &config, const Layout &layout,
                                   const GuestDevices &devices = {});

} // namespace machine::provisioning
