// `machine start [NAME]`: boot a machine and wait until it is ready to use.
#include "context.h"
#include "machine/connections.h"
#include "output/progress.h"

#include <iostream>

namespace machine::cli {

void start_machine(Context &context, const std::string &name, std::chrono::seconds timeout,
                   bool quiet, bool docker_socket) {
    std::cout << "Starting machine \"" << name << "\"" << std::endl;
    Progress progress(name);
    StartOptions options;
    options.timeout = timeout;
    if (!quiet)
        options.progress = [&](const std::string &phase) { progress.phase(phase); };
    options.notice = [&](const std::string &text) { progress.notice(text); };
    options.forwarder = forwarder_command(name);
    options.docker_socket = docker_socket;
    auto result = context.manager.start(name, options);
    progress.finish();
    if (result == StartResult::already_running) {
        std::cout << "Machine \"" << name << "\" is already running" << std::endl;
        return;
    }
    auto socket = context.store.layout(name).api_socket().string();
    auto uri = api_uri(name, socket);
    std::cout << "API forwarding listening on: " << socket << "\n\n"
              << "You can connect Docker API clients by setting DOCKER_HOST using the\n"
              << "following command in your terminal session:\n\n"
              << "\texport DOCKER_HOST='" << uri << "'\n\n"
              << "and podman's remote client with:\n\n"
              << "\texport CONTAINER_HOST='" << uri << "'\n\n"
              << "Machine \"" << name << "\" started successfully" << std::endl;
}

void add_start_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("start", "Boot a machine and wait until it is ready");
    auto name = std::make_shared<std::string>("default");
    auto timeout = std::make_shared<int>(600);
    auto quiet = std::make_shared<bool>(false);
    auto docker_socket = std::make_shared<bool>(false);
    cmd->add_option("name", *name, "Name of the machine")->capture_default_str();
    cmd->add_option("--timeout", *timeout, "Seconds to wait for the guest to be ready")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", *quiet, "Print no progress");
    cmd->add_flag("--docker-socket", *docker_socket,
                  "Also point /var/run/docker.sock at the API socket, when it is free");
    cmd->callback([&context, name, timeout, quiet, docker_socket] {
        start_machine(context, *name, std::chrono::seconds(*timeout), *quiet, *docker_socket);
    });
}

} // namespace machine::cli
