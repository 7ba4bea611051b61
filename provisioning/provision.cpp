#include "provisioning/provision.h"

#include "platform/atomic_file.h"
#include "provisioning/cloud_init.h"
#include "provisioning/ignition.h"
#include "provisioning/ssh_keys.h"

#include <sys/stat.h>

namespace machine::provisioning {

void provision(MachineConfig &config, const Layout &layout) {
    auto client = generate_ed25519("machine-" + config.name);
    write_key_pair(client, layout.identity());
    auto host = generate_ed25519("root@" + config.name);
    write_key_pair(host, layout.host_key());
    config.ssh.identity_path = layout.identity().string();
    config.ssh.host_key_fingerprint = host.fingerprint;

    auto settings = guest_settings(config, client.public_line, host.private_pem, host.public_line);
    if (config.image.provisioning == "ignition") {
        platform::write_file_atomically(layout.provisioning(),
                                        render_ignition(settings).dump(2) + "\n", 0600);
    } else if (config.image.provisioning == "cloud-init") {
        auto temp = layout.seed_image();
        temp += ".partial";
        write_seed_image(temp, render_user_data(settings),
                         render_meta_data(settings, "machine-" + config.name));
        ::chmod(temp.c_str(), 0600);
        std::filesystem::rename(temp, layout.seed_image());
    }
}

} // namespace machine::provisioning
