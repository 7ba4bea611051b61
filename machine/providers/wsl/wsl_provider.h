#pragma once
// WSL 2: thin glue around the pure builders in this folder. A machine is a WSL distribution,
// "machine-NAME", imported from the image's root filesystem tarball; WSL's own kernel boots it,
// and systemd runs in it (/etc/wsl.conf). There is no SSH endpoint and no network path to the
// guest: provisioning, readiness and the API all go through processes wsl.exe runs in the
// distribution, whose stdin and stdout are ours.
#include "machine/command.h"
#include "machine/provider.h"
#include "platform/host.h"
#include "platform/stdio_process.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

namespace machine {

// What check_host() looks at: the host's OS and where wsl.exe is (empty: nowhere on PATH).
struct WslHost {
    platform::HostOs os;
    std::filesystem::path wsl_exe;
    static WslHost here();
};

class WslProvider : public Provider {
public:
    // Starts a process whose stdio is a stream of ours (platform::StdioProcess); tests stand in.
    using Spawn = std::function<std::unique_ptr<platform::StdioProcess>(
        const Command &command, const std::filesystem::path &log)>;

    explicit WslProvider(ProcessRunner &runner, Spawn spawn = spawn_stdio_process,
                         WslHost host = WslHost::here());

    static std::unique_ptr<platform::StdioProcess>
    spawn_stdio_process(const Command &command, const std::filesystem::path &log);

    std::string name() const override { return "wsl"; }
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
    // None: the host reaches the guest only through wsl.exe.
    SshEndpoint ssh_endpoint(const MachineConfig &config, const Layout &layout) const override;
    std::optional<Command> login_command(const MachineConfig &config, const std::string &user,
                                         const std::string &command_line) const override;
    // `wsl.exe ... machine-agent --mux-stdio`'s stdin and stdout. One link at a time: a new call
    // ends the process of the previous link (whose stream its session has closed).
    platform::Fd connect_agent(const MachineConfig &config, const Layout &layout) const override;
    std::unique_ptr<PortPublisher> port_publisher(const MachineConfig &config,
                                                  const Layout &layout) const override;

private:
    bool running(const std::string &distribution) const;
    bool registered(const std::string &distribution) const;
    void import_and_provision(MachineConfig &config, const Layout &layout,
                              const ProvisioningPayload &payload);

    ProcessRunner &runner_;
    Spawn spawn_;
    WslHost host_;
    mutable std::mutex link_mutex_;
    mutable std::unique_ptr<platform::StdioProcess> link_;
};

} // namespace machine
