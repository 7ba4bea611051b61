// `machine reset [-f]`: stop and remove every machine, after confirmation, and with the last one
// the cached images.
#include "context.h"

#include <iostream>

namespace machine::cli {

void add_reset_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("reset", "Stop and remove every machine");
    auto force = std::make_shared<bool>(false);
    cmd->add_flag("-f,--force", *force, "Do not ask for confirmation");
    cmd->callback([&context, force] {
        auto machines = context.manager.list();
        if (machines.empty())
            return;
        if (!*force) {
            std::cout << "Warning: this removes every machine and its data:\n\n";
            for (const auto &m : machines)
                std::cout << "  " << m.name << "\n";
            std::cout << "\nAre you sure you want to continue? [y/N] " << std::flush;
            std::string answer;
            std::getline(std::cin, answer);
            if (answer != "y" && answer != "Y" && answer != "yes")
                return;
        }
        for (const auto &m : machines)
            context.manager.remove(m.name, true);
        print_warnings(context);
    });
}

} // namespace machine::cli
