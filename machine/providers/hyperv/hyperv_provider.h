#pragma once
// Hyper-V (Windows): thin glue that runs the scripts this folder builds (powershell.exe, through
// the ProcessRunner) and talks hvsock (platform/hvsock.h). Its own state in the machine's config
// (`provider.state`): `vm_id`, the VM's GUID, and `kvp_items`, how many Ignition items it holds.
#include "machine/command.h"
#include "machine/provider.h"
#include "platform/host.h"
#include "platform/hvsock.h"

namespace machine {

class HyperVProvider : public Provider {
public:
    explicit HyperVProvider(ProcessRunner &runner);
    // `host`: the OS to act as (tests run the Windows glue on Linux).
    HyperVProvider(ProcessRunner &runner, platform::Hvsock &hvsock, platform::HostOs host)
        : runner_(runner), hvsock_(hvsock), host_(host) {}

    std::string name() const override { return "hyperv"; }
    ProviderFeatures features() const override;
    void check_host() const override;
    std::map<std::string, std::string> host_facts() const override;
    ProviderFiles files(const Layout &layout) const override;
    void create(MachineConfig &config, const Layout &layout,
                const ProvisioningPayload &payload) override;
    void remove(const MachineConfig &config, const Layout &layout) override;
    MachineState state(const MachineConfig &config, const Layout &layout) override;
    std::unique_ptr<ReadySignal>
    start(const MachineConfig &config, const Layout &layout,
          const std::function<void(const std::string &)> &notice) override;
    void stop(const MachineConfig &config, const Layout &layout,
              std::chrono::seconds grace) override;
    void grow_disk(const MachineConfig &config, const Layout &layout,
                   std::uint64_t disk_gib) override;
    SshEndpoint ssh_endpoint(const MachineConfig &config, const Layout &layout) const override;
    platform::Fd connect_agent(const MachineConfig &config, const Layout &layout) const override;
    std::unique_ptr<PortPublisher> port_publisher(const MachineConfig &config,
                                                  const Layout &layout) const override;

private:
    // Runs one script; a failure names its step and carries PowerShell's message.
    ProcessResult run(const std::string &script) const;

    ProcessRunner &runner_;
    platform::Hvsock &hvsock_;
    platform::HostOs host_;
};

} // namespace machine
