#include "provisioning/provision.h"

#include "provisioning/cloud_init.h"
#include "provisioning/ignition.h"
#include "provisioning/ssh_keys.h"

namespace machine::provisioning {

ProvisioningPayload provision(MachineConfig &config, const Layout &layout,
                              const GuestDevices &devices) {
    auto client = generate_ed25519("machine-" + config.name);
    write_key_pair(client, layout.identity());
    auto host = generate_ed25519("root@" + config.name);
    write_key_pair(host, layout.host_key());
    config.ssh.identity_path = layout.identity().string();
    config.ssh.host_key_fingerprint = host.fingerprint;

    auto settings = guest_settings(config, client.public_line, host.private_pem, host.public_line);
    settings.share_type = devices.share_type;
    settings.rosetta = devices.rosetta;
    settings.proxy = proxy_for_guest(config.proxy, devices.host_address);
    ProvisioningPayload payload{config.image.provisioning, {}, {}, {}};
    if (payload.kind == "ignition") {
        payload.ignition = render_ignition(settings).dump(2) + "\n";
    } else if (payload.kind == "cloud-init") {
        payload.user_data = render_user_data(settings);
        payload.meta_data = render_meta_data(settings, "machine-" + config.name);
    }
    return payload;
}

} // namespace machine::provisioning
