#include "providers/apple/vfkit_provider.h"

#include "machine/errors.h"
#include "platform/atomic_file.h"
#include "providers/apple/dhcp_leases.h"

namespace machine {

ProviderFeatures VfkitProvider::features() const {
    auto f = apple_features();
    if (host_.arch == "aarch64") // Rosetta exists on Apple Silicon only
        f.init_flags = {"rosetta"};
    return f;
}

void VfkitProvider::check_host() const {
    check_macos();
    if (host_.vfkit.empty())
        throw HostNotReady("vfkit is not installed here: no vfkit on PATH or in podman's folders",
                           "install it: brew install vfkit (podman's installer brings it too)");
}

std::map<std::string, std::string> VfkitProvider::host_facts() const {
    return {{"vfkit", host_.vfkit.string()}};
}

SshEndpoint VfkitProvider::ssh_endpoint(const MachineConfig &config, const Layout &) const {
    auto mac = config.provider_state.find("mac");
    if (mac == config.provider_state.end())
        return {};
    std::string leases;
    try {
        leases = platform::read_file(host_.dhcp_leases);
    } catch (const Error &) {
        return {}; // no lease yet (or not a Mac): the API goes over machine-mux
    }
    auto address = leased_address(leases, mac->second);
    return address.empty() ? SshEndpoint{} : SshEndpoint{address, 22};
}

Command VfkitProvider::launch_command(const AppleVm &vm) const {
    return vfkit_command(host_.vfkit.empty() ? std::filesystem::path("vfkit") : host_.vfkit, vm);
}

} // namespace machine
