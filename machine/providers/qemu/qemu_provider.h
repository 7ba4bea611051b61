#pragma once
// QEMU: thin glue around the pure builders in this folder.
#include "machine/command.h"
#include "machine/provider.h"
#include "providers/qemu/qemu_files.h"

namespace machine {

class QemuProvider : public Provider {
public:
    explicit QemuProvider(ProcessRunner &runner) : runner_(runner) {}

    std::string name() const override { return "qemu"; }
    ProviderFeatures features() const override;
    void check_host() const override;
    std::map<std::string, std::string> host_facts() const override;
    ProviderFiles files(const Layout &layout) const override;
    void create(MachineConfig &config, const Layout &layout,
                const ProvisioningPayload &payload) override;
    void update_payload(const MachineConfig &config, const Layout &layout,
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
    std::unique_ptr<VmEvents> watch_events(const MachineConfig &config,
                                           const Layout &layout) const override;
    std::unique_ptr<PortPublisher> port_publisher(const MachineConfig &config,
                                                  const Layout &layout) const override;

    void suspend(const MachineConfig &config, const Layout &layout) override;
    bool suspended(const MachineConfig &config, const Layout &layout) const override;

private:
    void write_payload(const MachineConfig &config, const QemuFiles &files,
                       const ProvisioningPayload &payload) const;
    // Whether start() resumes a saved state; one that no longer matches is discarded, and said.
    bool resumable(const QemuFiles &files, const Command &launch,
                   const std::function<void(const std::string &)> &notice) const;
    // The pid of this machine's QEMU, or 0 when none runs.
    int running_pid(const Layout &layout) const;

    ProcessRunner &runner_;
};

} // namespace machine
