#pragma once
// libkrun: the libkrun VMM through krunkit, on Apple Silicon. It boots its own EFI and has no
// network of its own: gvproxy gives it one (user-mode NAT, and the guest's sshd on a loopback
// port), started before krunkit and ended after it.
#include "providers/apple/apple_provider.h"

namespace machine {

class KrunkitProvider : public AppleProvider {
public:
    explicit KrunkitProvider(AppleHost host = AppleHost::here()) : AppleProvider(std::move(host)) {}

    std::string name() const override { return "libkrun"; }
    ProviderFeatures features() const override;
    void check_host() const override;
    std::map<std::string, std::string> host_facts() const override;
    // gvproxy's -ssh-port forward to the guest's sshd.
    SshEndpoint ssh_endpoint(const MachineConfig &config, const Layout &layout) const override;

protected:
    Command launch_command(const AppleVm &vm) const override;
    void start_network(const MachineConfig &config, const AppleFiles &files) override;
    void stop_network(const AppleFiles &files) override;
};

} // namespace machine
