// `machine set [NAME]`: change a stopped machine's resources; the disk only grows.
#include "context.h"
#include "machine/errors.h"

namespace machine::cli {

void add_set_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("set", "Change a stopped machine's settings");
    auto name = std::make_shared<std::string>("default");
    auto options = std::make_shared<SetOptions>();
    auto rootful = std::make_shared<bool>(false);
    cmd->add_option("name", *name, "Name of the machine")->capture_default_str();
    cmd->add_option("--cpus", options->cpus, "Number of virtual CPUs");
    cmd->add_option("-m,--memory", options->memory, "Memory in MiB, or with a unit (4G)");
    cmd->add_option("--disk-size", options->disk_size, "Disk size in GiB; it can only grow");
    auto *rootful_flag = cmd->add_flag("--rootful", *rootful,
                                       "Forward the rootful podman API socket (--rootful=false: "
                                       "the rootless one)");
    cmd->callback([&context, name, options, rootful, rootful_flag] {
        if (rootful_flag->count() > 0)
            options->rootful = *rootful;
        if (!options->cpus && !options->memory && !options->disk_size && !options->rootful)
            throw InvalidInput("set", "set: nothing to change; give --cpus, --memory, "
                                      "--disk-size or --rootful");
        context.manager.set(*name, *options);
    });
}

} // namespace machine::cli
