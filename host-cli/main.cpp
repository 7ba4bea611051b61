// The `machine` command line: parses, runs one verb, and turns every error into one line on
// stderr and exit code 125 (as podman does).
#include "context.h"
#include "machine/errors.h"
#include "platform/crypto_log.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <vector>

namespace machine::cli {

void print_warnings(const Context &context) {
    for (const auto &warning : context.manager.warnings())
        std::cerr << "Warning: " << warning << "\n";
}

} // namespace machine::cli

namespace {

constexpr int tool_error = 125;

// One line: the message, then the hint after a semicolon.
int report(const std::string &message, const std::string &hint = {}) {
    std::string line = message;
    for (auto &c : line)
        if (c == '\n')
            c = ' ';
    std::cerr << "Error: " << line << (hint.empty() ? "" : "; " + hint) << std::endl;
    return tool_error;
}

// `machine ssh [NAME] -- CMD...`: CLI11 swallows the first `--` of a prefix command's words, so
// it is dropped here; everything after NAME is the command either way.
std::vector<std::string> without_ssh_separator(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto verb = std::find_if(args.begin(), args.end(), [](auto &a) { return a[0] != '-'; });
    if (verb != args.end() && *verb == "ssh") {
        auto separator = std::find(verb, args.end(), "--");
        if (separator != args.end())
            args.erase(separator);
    }
    std::reverse(args.begin(), args.end()); // CLI11 takes a vector in reverse order
    return args;
}

} // namespace

int main(int argc, char **argv) {
    machine::platform::quiet_crypto_library();
    CLI::App app{"machine: a local container engine in a small Linux VM"};
    app.name("machine");
    app.require_subcommand(1, 1);
    app.set_version_flag("--version", std::string("machine version ") + MACHINE_VERSION);
    std::optional<machine::cli::Context> context;
    try {
        context.emplace();
        machine::cli::add_init_command(app, *context);
        machine::cli::add_list_command(app, *context);
        machine::cli::add_inspect_command(app, *context);
        machine::cli::add_rm_command(app, *context);
        machine::cli::add_set_command(app, *context);
        machine::cli::add_info_command(app, *context);
        machine::cli::add_start_command(app, *context);
        machine::cli::add_stop_command(app, *context);
        machine::cli::add_ssh_command(app, *context);
        machine::cli::add_cp_command(app, *context);
        machine::cli::add_forwarder_command(app, *context);
        machine::cli::add_reset_command(app, *context);
        machine::cli::add_env_command(app, *context);
        machine::cli::add_completion_command(app);
        machine::cli::add_man_command(app);
        app.parse(without_ssh_separator(argc, argv));
        return context->exit_code;
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        return report(e.what(), "see `machine --help`");
    } catch (const machine::Error &e) {
        return report(e.what(), e.hint());
    } catch (const std::exception &e) {
        return report(e.what());
    }
}
