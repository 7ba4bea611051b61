// `machine __forwarder NAME` (hidden): the API socket forwarder process `start` launches; it also
// forwards the ports the guest's containers publish.
#include "context.h"
#include "machine/api_forwarder.h"
#include "machine/awake_hold.h"
#include "machine/errors.h"
#include "machine/guest_user.h"
#include "machine/mux_ports.h"
#include "machine/port_watcher.h"
#include "machine/published_ports.h"
#include "machine/shared_folder_changes.h"
#include "platform/atomic_file.h"
#include "platform/host.h"

#include <atomic>
#include <cstdlib>
#include <fmt/format.h>
#include <iostream>
#include <optional>
#include <utility>

namespace machine::cli {

Command forwarder_command(const std::string &name) {
    return {platform::own_executable(), {"__forwarder", name}, {}};
}

void add_forwarder_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("__forwarder", "API socket forwarder (started by `start`)");
    cmd->group(""); // hidden from help
    auto name = std::make_shared<std::string>();
    cmd->add_option("name", *name)->required();
    cmd->callback([&context, name] {
        auto config = context.store.load(*name);
        auto layout = context.store.layout(*name);
        auto &provider = context.manager.provider_of(config);
        auto ssh = provider.ssh_endpoint(config, layout);
        ForwarderOptions options;
        options.machine = config.name;
        options.listen = layout.api_socket();
        options.quiet_listen = layout.port_watcher_socket();
        options.idle_pause = std::chrono::seconds(config.idle_pause_seconds);
        options.held_awake = [&] { return held_awake(layout); };
        options.guest_socket = guest_api_socket(config.rootful, config.ssh.uid);
        options.target = {ssh.host,
                          ssh.port,
                          config.rootful ? "root" : config.ssh.username,
                          config.ssh.identity_path,
                          config.ssh.host_key_fingerprint,
                          config.name};
        // MACHINE_API_TRANSPORT=ssh skips machine-mux (tests run the clients over both).
        const char *transport = std::getenv("MACHINE_API_TRANSPORT");
        std::atomic<bool> over_ssh = transport && std::string(transport) == "ssh" && !ssh.over_mux;
        MuxPorts mux_ports;
        if (ssh.over_mux) { // SSH itself rides on machine-mux: nothing to fall back on
            options.target.host.clear();
            if (auto refused = mux_ports.add({"tcp", std::uint16_t(ssh.port)}, 22);
                !refused.empty())
                options.log(fmt::format("forwarder: SSH on 127.0.0.1:{}: {}", ssh.port, refused));
        }
        if (!over_ssh) {
            options.connect_agent = [&] { return provider.connect_agent(config, layout); };
            options.watch_events = [&] { return provider.watch_events(config, layout); };
            options.mux_ports = &mux_ports;
            options.on_ssh = [&] { over_ssh = true; };
        }
        // Asked between bursts of traffic: the hypervisor at most once a second (libvirt over
        // qemu+ssh answers across the network). When it cannot be asked, the machine is taken
        // to run on: its links notice by themselves.
        bool running = true, told = false;
        auto asked = platform::Clock::time_point{};
        options.machine_running = [&] {
            if (platform::Clock::now() - asked < std::chrono::seconds(1))
                return running;
            asked = platform::Clock::now();
            try {
                running = provider.state(config, layout) != MachineState::stopped;
                told = false;
            } catch (const Error &error) {
                if (!std::exchange(told, true))
                    options.log(std::string("forwarder: cannot ask for the machine's state: ") +
                                error.what());
            }
            return running;
        };
        options.log = [](const std::string &line) { std::cerr << line << std::endl; };
        // Published container ports follow the engine's events on a thread of their own.
        // Over machine-mux for every provider; over SSH (an image without our agent) the
        // provider's own way (QEMU: hostfwd).
        auto publisher = [&]() -> std::unique_ptr<PortPublisher> {
            if (over_ssh)
                return provider.port_publisher(config, layout);
            return std::make_unique<MuxPortPublisher>(mux_ports);
        };
        // Two machines may want one port: the second names the first (from its port record).
        auto held_by = [&](const PublishedPort &port) -> std::string {
            for (const auto &other : context.store.list())
                try {
                    auto record = context.store.layout(other.name).port_record();
                    if (other.name != config.name && std::filesystem::exists(record) &&
                        parse_port_record(platform::read_file(record)).count(port))
                        return other.name;
                } catch (const Error &) { // a record being rewritten: not that one's, then
                }
            return {};
        };
        // Host writes in the shared folders, shown to the guest's file watchers (machine-mux only).
        std::optional<SharedFolderChanges> folder_changes;
        if (!over_ssh && !config.mounts.empty()) {
            folder_changes.emplace(config.mounts, options.log);
            options.folder_changes = &*folder_changes;
        }
        PortWatcher ports({options.quiet_listen, publisher,
                           [&] { return provider.port_publisher(config, layout); },
                           layout.port_record(), held_by, options.log});
        run_forwarder(options);
    });
}

} // namespace machine::cli
