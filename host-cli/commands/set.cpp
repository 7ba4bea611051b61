// `machine set [NAME]`: change a stopped machine's resources (the disk only grows), its idle pause,
// and the proxy and CA certificates its guest is given.
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
    cmd->add_option("--idle-pause", options->idle_pause,
                    "Pause the VM after this long without a client, e.g. 5m; 0: never");
    cmd->add_option("--proxy", options->proxy,
                    "HTTP and HTTPS proxy for the engine, e.g. http://proxy:3128; \"\": none");
    cmd->add_option("--ca-certs", options->ca_certs,
                    "PEM file or folder of CA certificates for the guest to trust; \"\": none");
    cmd->callback([&context, name, options, rootful, rootful_flag] {
        if (rootful_flag->count() > 0)
            options->rootful = *rootful;
        if (!options->cpus && !options->memory && !options->disk_size && !options->rootful &&
            !options->idle_pause && !options->proxy && !options->ca_certs)
            throw InvalidInput("set", "set: nothing to change; give --cpus, --memory, "
                                      "--disk-size, --rootful, --idle-pause, --proxy or "
                                      "--ca-certs");
        context.manager.set(*name, *options);
    });
}

} // namespace machine::cli
