#pragma once
// vfkit (applehv) and krunkit (libkrun), Apple's family: the hypervisor is a process the CLI
// starts detached, whose state and stop go through its REST API (vm_rest.h) and whose guest is
// reached over vsock ports it turns into unix sockets. This base is the glue both share;
// vfkit_provider.h and krunkit_provider.h hold what differs (argv, network, host needs). Their
// state in the machine's config (`provider.state`): `mac`, the network device's, and the init
// flags the provider honours (`rosetta`, `nested`: "true").
#include "machine/command.h"
#include "machine/provider.h"
#include "providers/apple/apple_commands.h"
#include "providers/apple/apple_files.h"
#include "providers/apple/apple_host.h"

namespace machine {

class AppleProvider : public Provider {
public:
    ProviderFiles files(const Layout &layout) const override;
    void create(MachineConfig &config, const Layout &layout,
                const ProvisioningPayload &payload) override;
    void remove(const MachineConfig &config, const Layout &layout) override;
    MachineState state(const MachineConfig &config, const Layout &layout) override;
    std::unique_ptr<ReadySignal>
    start(const MachineConfig &config, const Layout &layout,
          const std::function<void(const std::string &)> &notice) override;
    // `Stop` (the guest powers off), then `HardStop` after `grace`; a hypervisor process left
    // after its VM stopped is ended.
    void stop(const MachineConfig &config, const Layout &layout,
              std::chrono::seconds grace) override;
    void grow_disk(const MachineConfig &config, const Layout &layout,
                   std::uint64_t disk_gib) override;
    platform::Fd connect_agent(const MachineConfig &config, const Layout &layout) const override;
    // Published ports go over machine-mux only: none without the guest agent.
    std::unique_ptr<PortPublisher> port_publisher(const MachineConfig &config,
                                                  const Layout &layout) const override;

protected:
    explicit AppleProvider(AppleHost host) : host_(std::move(host)) {}

    // What both offer; each adds its init flags.
    static ProviderFeatures apple_features();
    // Throws HostNotReady (one line) unless this host is a Mac.
    void check_macos() const;
    // One boot of the machine; `create` builds one too, so that what the hypervisor cannot be
    // told (a ',' in a shared folder's path) is refused at init.
    AppleVm boot_of(const MachineConfig &config, const Layout &layout, bool first_boot) const;

    // The hypervisor's command line for `vm`.
    virtual Command launch_command(const AppleVm &vm) const = 0;
    // What runs beside the VM (krunkit: gvproxy), started before it and ended after it.
    virtual void start_network(const MachineConfig &, const AppleFiles &) {}
    virtual void stop_network(const AppleFiles &) {}

    AppleHost host_;
};

} // namespace machine
