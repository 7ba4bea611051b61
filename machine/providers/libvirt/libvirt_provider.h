#pragma once
// libvirt, through its C API: a persistent domain whose XML is built by domain_xml.h, on storage
// kept in a pool of ours (storage_xml.h), on the connection the machine was made on (its config's
// provider state "uri": MACHINE_LIBVIRT_URI at init, else libvirt's default for the user).
#include "machine/provider.h"
#include "providers/libvirt/libvirt_connection.h"

#include <map>
#include <mutex>

namespace machine {

class LibvirtProvider : public Provider {
public:
    std::string name() const override { return "libvirt"; }
    ProviderFeatures features() const override;
    void check_host() const override;
    std::map<std::string, std::string> host_facts() const override;
    ProviderFiles files(const Layout &layout) const override;
    void create(MachineConfig &config, const Layout &layout,
                const ProvisioningPayload &payload) override;
    void remove(const MachineConfig &config, const Layout &layout) override;
    void prune_images(const MachineConfig &removed) override;
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
    std::vector<std::string> shares_for(const MachineConfig &config) const override;
    std::unique_ptr<PortPublisher> port_publisher(const MachineConfig &config,
                                                  const Layout &layout) const override;

private:
    std::mutex mutex_;
    std::map<std::string, LibvirtConnection> connections_; // state()'s, by URI
};

} // namespace machine
