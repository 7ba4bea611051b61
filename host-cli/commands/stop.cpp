// `machine stop [NAME]`: power the guest off cleanly (forcing it after a grace period).
#include "context.h"

#include <iostream>

namespace machine::cli {

void add_stop_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("stop", "Stop a running machine");
    auto name = std::make_shared<std::string>("default");
    cmd->add_option("name", *name, "Name of the machine")->capture_default_str();
    cmd->callback([&context, name] {
        context.manager.stop(*name);
        std::cout << "Machine \"" << *name << "\" stopped successfully" << std::endl;
    });
}

} // namespace machine::cli
