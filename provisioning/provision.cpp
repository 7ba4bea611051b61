#include "provisioning/provision.h"

#include "provisioning/cloud_init.h"
#include "provisioning/ignition.h"
#include "provisioning/ssh_keys.h"

#include "machine/errors.h"
#include "platform/atomic_file.h"

namespace machine::provisioning {

ProvisioningPayload provision(MachineConfig &config, const Layout &layout,
                              const GuestDevices &devices) {
    auto client = generate_ed25519("machine-" + config.name);
    write_key_pair(client, layout.identity());
    auto host = generate_ed25519("root@" + config.name);
    write_key_pair(host, layout.host_key());
    config.ssh.identity_path = layout.identity().string();
    config.ssh.host_key_fingerprint = host.fingerprint;
    return render_payload(config, layout, devices);
}

ProvisioningPayload render_payload(const MachineConfig &config, const Layout &layout,
                                   const GuestDevices &devices) {
    auto key = [](const std::filesystem::path &file) {
        if (!std::filesystem::exists(file))
            throw NotFound("the machine's key " + file.string() + " is missing",
                           "`machine rm` and `init` the machine again");
        auto text = platform::read_file(file);
        if (file.extension() == ".pub" && !text.empty() && text.back() == '\n')
            text.pop_back(); // the line as it was made
        return text;
    };
    auto pub = [](std::filesystem::path file) { return file += ".pub"; };
    auto settings = guest_settings(config, key(pub(layout.identity())), key(layout.host_key()),
                                   key(pub(layout.host_key())));
    settings.share_type = devices.share_type;
    settings.rosetta = devices.rosetta;
    settings.proxy = proxy_for_guest(config.proxy, devices.host_address);
    settings.host_address = devices.host_address;
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
