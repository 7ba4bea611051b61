#pragma once
// What every verb needs, built once in main.
#include "machine/machine_manager.h"
#include "platform/process_runner.h"

#include <CLI/CLI.hpp>

namespace machine::cli {

struct Context {
    Store store = Store::from_environment();
    ProviderRegistry providers = ProviderRegistry::builtin();
    platform::SpawnProcessRunner runner;
    MachineManager manager{store, providers, runner};
    int exit_code = 0;
};

// The remarks a verb's manager calls made along the way, as warnings on stderr.
void print_warnings(const Context &context);

// `start`'s work, shared with `init --now`.
void start_machine(Context &context, const std::string &name, std::chrono::seconds timeout,
                   bool quiet, bool docker_socket = false);

// How `start` and `list` run this binary as the API forwarder of a machine.
Command forwarder_command(const std::string &name);

void add_init_command(CLI::App &app, Context &context);
void add_list_command(CLI::App &app, Context &context);
void add_inspect_command(CLI::App &app, Context &context);
void add_rm_command(CLI::App &app, Context &context);
void add_set_command(CLI::App &app, Context &context);
void add_info_command(CLI::App &app, Context &context);
void add_start_command(CLI::App &app, Context &context);
void add_stop_command(CLI::App &app, Context &context);
void add_ssh_command(CLI::App &app, Context &context);
void add_cp_command(CLI::App &app, Context &context);
void add_forwarder_command(CLI::App &app, Context &context);
void add_reset_command(CLI::App &app, Context &context);
void add_env_command(CLI::App &app, Context &context);
void add_completion_command(CLI::App &app);
void add_man_command(CLI::App &app);

} // namespace machine::cli
