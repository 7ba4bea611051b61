// `machine rm [-f] [NAME...]`: remove machines (or what a killed init left), after confirmation,
// and the cached images no machine uses any more.
#include "context.h"
#include "machine/errors.h"

#include <iostream>

namespace machine::cli {

namespace {

bool confirmed(Context &context, const std::string &name) {
    auto layout = context.store.layout(name);
    std::cout << "The following files will be deleted:\n\n"
              << layout.config_file().string() << "\n"
              << layout.data_dir().string() << "\n"
              << layout.runtime_dir().string() << "\n";
    for (const auto &image : context.manager.images_freed_by_removing(name))
        std::cout << image.string() << "\n";
    std::cout << "Are you sure you want to continue? [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
}

bool is_running(Context &context, const std::string &name) {
    try {
        return context.manager.status(name).state != MachineState::stopped;
    } catch (const Error &) {
        return false; // missing or broken: the manager reports it, or removes what is left
    }
}

} // namespace

void add_rm_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("rm", "Remove machines");
    auto names = std::make_shared<std::vector<std::string>>();
    auto force = std::make_shared<bool>(false);
    cmd->add_option("names", *names, "Machines (default: \"default\")");
    cmd->add_flag("-f,--force", *force, "Do not ask for confirmation");
    cmd->callback([&context, names, force] {
        if (names->empty())
            names->push_back("default");
        for (const auto &name : *names) {
            if (!*force && is_running(context, name))
                throw WrongState("machine \"" + name + "\" is running",
                                 "stop it first with `machine stop " + name + "`, or use --force");
            if (!*force && !confirmed(context, name))
                continue;
            context.manager.remove(name, *force);
        }
        print_warnings(context);
    });
}

} // namespace machine::cli
