// `machine stop [--suspend] [NAME]`: power the guest off cleanly (forcing it after a grace
// period), or save its state for the next start to resume.
#include "context.h"

#include <iostream>

namespace machine::cli {

void add_stop_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("stop", "Stop a running machine");
    auto name = std::make_shared<std::string>("default");
    cmd->add_option("name", *name, "Name of the machine")->capture_default_str();
    auto suspend = std::make_shared<bool>(false);
    cmd->add_flag("--suspend", *suspend,
                  "Save the running machine's state; the next start resumes it");
    cmd->callback([&context, name, suspend] {
        if (*suspend) {
            context.manager.suspend(*name);
            std::cout << "Machine \"" << *name << "\" suspended successfully" << std::endl;
            return;
        }
        context.manager.stop(*name);
        std::cout << "Machine \"" << *name << "\" stopped successfully" << std::endl;
    });
}

} // namespace machine::cli
