// `machine inspect [NAME...]`: the full configuration and state, as JSON.
#include "context.h"
#include "machine/errors.h"
#include "output/print.h"
#include "output/reports.h"

#include <iostream>

namespace machine::cli {

void add_inspect_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("inspect", "Show machines' configuration and state as JSON");
    auto names = std::make_shared<std::vector<std::string>>();
    auto format = std::make_shared<std::string>();
    cmd->add_option("names", *names, "Machines (default: \"default\")");
    cmd->add_option("--format", *format, "Output: json (default) or a template");
    cmd->callback([&context, names, format] {
        if (names->empty())
            names->push_back(default_machine_name);
        auto found = nlohmann::json::array();
        std::vector<std::string> errors;
        for (const auto &name : *names) {
            try {
                auto status = context.manager.status(name);
                found.push_back(inspect_json(status, context.store,
                                             context.manager.provider_of(*status.config)));
            } catch (const Error &e) {
                errors.push_back(e.what());
            }
        }
        if (format->empty() || *format == "json") {
            print_json(found);
        } else {
            print_template(*format, {found.begin(), found.end()}, {}, false);
        }
        for (const auto &error : errors)
            std::cerr << "Error: " << error << "\n";
        if (!errors.empty())
            context.exit_code = 125;
    });
}

} // namespace machine::cli
