// `machine init [NAME]`: create a machine (its disk and config) without starting it.
#include "context.h"
#include "output/progress_bar.h"

#include <iostream>

namespace machine::cli {

void add_init_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("init", "Create a new machine (default name \"default\")");
    auto options = std::make_shared<InitOptions>();
    auto volumes = std::make_shared<std::vector<std::string>>();
    cmd->add_option("name", options->name, "Name of the machine")->capture_default_str();
    cmd->add_option("--cpus", options->cpus, "Number of virtual CPUs (default: half the host's)");
    cmd->add_option("-m,--memory", options->memory,
                    "Memory in MiB, or with a unit (4G, 512M); at least 512 MiB (default 2048)");
    cmd->add_option("--disk-size", options->disk_size,
                    "Disk size in GiB, or with a unit (100G, 1T) (default 100)");
    cmd->add_option("--image,--image-path", options->image,
                    "Disk image to boot (qcow2 or raw); default: the built guest image");
    cmd->add_option("--image-sha256", options->image_sha256,
                    "Expected sha256 of the image file (downloads are checked against it)");
    cmd->add_option("--provider", options->provider, "Hypervisor provider (default: the host's)");
    cmd->add_option("--provisioning", options->provisioning,
                    "How the image is provisioned: ignition or cloud-init (default: the image's "
                    "manifest, else ignition)");
    cmd->add_flag("--rootful", options->rootful, "Forward the rootful podman API socket");
    cmd->add_flag("--rosetta", options->rosetta,
                  "Run x86_64 programs through Apple's Rosetta (applehv on Apple Silicon)");
    cmd->add_flag("--nested", options->nested,
                  "Nested virtualization (libkrun; M3 or later and macOS 15)");
    cmd->add_option("--connect", options->connect,
                    "libvirt: the connection to make it on, e.g. qemu+ssh://USER@HOST/system "
                    "(default: MACHINE_LIBVIRT_URI, else libvirt's own)");
    cmd->add_option("--username", options->username, "User in the guest (default core)");
    cmd->add_option("--timezone", options->timezone, "Guest time zone, e.g. UTC (default local)");
    auto *volume = cmd->add_option("-v,--volume", *volumes,
                                   "Share a host folder: HOST[:GUEST][:ro] (default: your home)");
    volume->allow_extra_args(false);
    cmd->add_option("--mount-type", options->mount_type,
                    "How folders are shared: virtiofs or 9p (default: the provider's best here)");
    cmd->add_option("--idle-pause", options->idle_pause,
                    "Pause the VM after this long without a client, e.g. 5m (default 0: never)");
    cmd->add_option("--proxy", options->proxy,
                    "HTTP and HTTPS proxy for the engine, e.g. http://proxy:3128; \"\": none "
                    "(default: HTTP_PROXY, HTTPS_PROXY and NO_PROXY from the environment)");
    cmd->add_option("--ca-certs", options->ca_certs,
                    "PEM file or folder of CA certificates for the guest to trust; \"\": none "
                    "(default: SSL_CERT_FILE when set)");
    auto now = std::make_shared<bool>(false);
    cmd->add_flag("--now", *now, "Start the machine once it is created");
    cmd->callback([&context, options, volumes, volume, now] {
        if (volume->count() > 0)
            options->volumes = *volumes;
        ProgressBar bar;
        options->image_progress = [&](std::uint64_t done, std::uint64_t total) {
            bar(done, total);
        };
        auto config = context.manager.init(*options);
        print_warnings(context);
        if (*now) {
            start_machine(context, config.name, std::chrono::seconds(600), false);
            return;
        }
        std::cout << "Machine init complete\nTo start your machine run:\n\n\tmachine start "
                  << config.name << "\n\n";
    });
}

} // namespace machine::cli
