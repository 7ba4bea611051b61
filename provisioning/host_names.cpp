#include "provisioning/host_names.h"

namespace machine::provisioning {

namespace {

// guest-image/hooks/customize10-config writes the same first lines.
constexpr const char *image_hosts = "127.0.0.1\tlocalhost\n"
                                    "::1\t\tlocalhost ip6-localhost ip6-loopback\n"
                                    "ff02::1\t\tip6-allnodes\n"
                                    "ff02::2\t\tip6-allrouters\n";

} // namespace

std::vector<GuestFile> host_name_files(const GuestSettings &s) {
    std::string hosts = image_hosts;
    if (!s.host_address.empty())
        hosts += s.host_address + "\thost.docker.internal host.containers.internal\n";
    std::vector<GuestFile> files = {{"/etc/hosts", mode_0644, hosts}};
    if (s.host_address.rfind("10.0.2.", 0) == 0)
        files.push_back({"/etc/containers/containers.conf.d/50-machine-host.conf", mode_0644,
                         "# 10.0.2.2 is the host (QEMU's user network): rootless containers'\n"
                         "# slirp4netns takes another range, so it leaves them through the guest.\n"
                         "[engine]\n"
                         "network_cmd_options = [\"cidr=10.0.3.0/24\"]\n"});
    return files;
}

} // namespace machine::provisioning
