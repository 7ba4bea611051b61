#pragma once
// applehv: Apple's Virtualization framework through vfkit. EFI boot with the machine's variable
// store, Apple's NAT network (the guest's address comes from macOS's DHCP leases, for SSH), and
// Rosetta for x86_64 programs on Apple Silicon when `init --rosetta` asked for it.
#include "providers/apple/apple_provider.h"

namespace machine {

class VfkitProvider : public AppleProvider {
public:
    explicit VfkitProvider(AppleHost host = AppleHost::here()) : AppleProvider(std::move(host)) {}

    std::string name() const override { return "applehv"; }
    ProviderFeatures features() const override;
    void check_host() const override;
    std::map<std::string, std::string> host_facts() const override;
    // The guest's sshd on its NAT address; none until macOS has leased it one.
    SshEndpoint ssh_endpoint(const MachineConfig &config, const Layout &layout) const override;

protected:
    Command launch_command(const AppleVm &vm) const override;
};

} // namespace machine
