// `machine list`: every machine, with broken ones marked rather than hidden.
#include "context.h"
#include "output/print.h"
#include "output/reports.h"
#include "platform/host.h"

#include <iostream>

namespace machine::cli {

void add_list_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("list", "List machines");
    cmd->alias("ls");
    auto format = std::make_shared<std::string>();
    auto noheading = std::make_shared<bool>(false);
    auto quiet = std::make_shared<bool>(false);
    cmd->add_option("--format", *format,
                    "Output: table (default), json, or a template such as {{.Name}}");
    cmd->add_flag("-n,--noheading", *noheading, "Do not print the header row");
    cmd->add_flag("-q,--quiet", *quiet, "Print only machine names");
    cmd->callback([&context, format, noheading, quiet] {
        auto machines = context.manager.list();
        for (const auto &m : machines) {
            if (!m.config)
                std::cerr << "Warning: machine \"" << m.name << "\" is broken: " << m.problem
                          << "\n";
            if (m.state == MachineState::running &&
                context.manager.revive_forwarder(m.name, forwarder_command(m.name)))
                std::cerr << "Warning: the API forwarder of machine \"" << m.name
                          << "\" was not running; started it again\n";
        }
        if (*quiet) {
            for (const auto &m : machines)
                std::cout << m.name << "\n";
            return;
        }
        if (*format == "json") {
            auto rows = nlohmann::json::array();
            for (const auto &m : machines)
                rows.push_back(list_json_row(m, context.store));
            print_json(rows);
            return;
        }
        std::vector<nlohmann::json> rows;
        auto now = platform::now_unix();
        for (const auto &m : machines)
            rows.push_back(list_display_row(m, now));
        bool table = format->empty() || *format == "table";
        print_template(table ? list_table_format() : *format, rows, list_headers(), *noheading);
    });
}

} // namespace machine::cli
