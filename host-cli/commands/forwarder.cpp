// `machine __forwarder NAME` (hidden): the API socket forwarder process `start` launches; it also
// forwards the ports the guest's containers publish.
#include "context.h"
#include "machine/api_forwarder.h"
#include "machine/port_watcher.h"
#include "platform/host.h"
#include "provisioning/guest_settings.h"

#include <cstdlib>
#include <iostream>

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
        ForwarderOptions options;
        options.machine = config.name;
        options.listen = layout.api_socket();
        options.guest_socket = guest_api_socket(config.rootful, provisioning::guest_user_uid());
        options.target = {"127.0.0.1",
                          config.ssh.port,
                          config.rootful ? "root" : config.ssh.username,
                          config.ssh.identity_path,
                          config.ssh.host_key_fingerprint,
                          config.name};
        // MACHINE_API_TRANSPORT=ssh skips machine-mux (tests run the clients over both).
        const char *transport = std::getenv("MACHINE_API_TRANSPORT");
        if (!transport || std::string(transport) != "ssh")
            options.mux_socket = layout.mux_socket();
        options.machine_running = [&] {
            return context.providers.make(config.provider, context.runner)->state(config, layout) !=
                   MachineState::stopped;
        };
        options.log = [](const std::string &line) { std::cerr << line << std::endl; };
        // Published container ports follow the engine's events on a thread of their own.
        PortWatcher ports({options.listen, layout.qmp_socket(), layout.port_record(), options.log});
        run_forwarder(options);
    });
}

} // namespace machine::cli
