// `machine start [NAME]`: boot a machine and wait until it is ready to use.
#include "context.h"
#include "output/progress.h"

#include <iostream>

namespace machine::cli {

void add_start_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("start", "Boot a machine and wait until it is ready");
    auto name = std::make_shared<std::string>("default");
    auto timeout = std::make_shared<int>(600);
    auto quiet = std::make_shared<bool>(false);
    cmd->add_option("name", *name, "Name of the machine")->capture_default_str();
    cmd->add_option("--timeout", *timeout, "Seconds to wait for the guest to be ready")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", *quiet, "Print no progress");
    cmd->callback([&context, name, timeout, quiet] {
        std::cout << "Starting machine \"" << *name << "\"" << std::endl;
        Progress progress(*name);
        StartOptions options;
        options.timeout = std::chrono::seconds(*timeout);
        if (!*quiet)
            options.progress = [&](const std::string &phase) { progress.phase(phase); };
        options.notice = [&](const std::string &text) { progress.notice(text); };
        auto result = context.manager.start(*name, options);
        progress.finish();
        if (result == StartResult::already_running) {
            std::cout << "Machine \"" << *name << "\" is already running" << std::endl;
            return;
        }
        auto config = context.store.load(*name);
        std::cout << "Machine \"" << *name << "\" started successfully\n\n"
                  << "Log in with:\n\tmachine ssh " << *name << "\n";
    });
}

} // namespace machine::cli
