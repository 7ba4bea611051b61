// `machine info`: the host, its accelerator and this tool, as YAML (default), JSON or a template.
#include "context.h"
#include "output/print.h"
#include "output/reports.h"

#include <iostream>
#include <yaml-cpp/yaml.h>

namespace machine::cli {

namespace {

YAML::Node to_yaml(const nlohmann::json &value) {
    YAML::Node node;
    if (value.is_object()) {
        for (const auto &item : value.items())
            node[item.key()] = to_yaml(item.value());
    } else if (value.is_array()) {
        for (const auto &item : value)
            node.push_back(to_yaml(item));
    } else if (value.is_string()) {
        node = value.get<std::string>();
    } else {
        node = value.dump();
    }
    return node;
}

} // namespace

void add_info_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("info", "Show information about the host and machines");
    auto format = std::make_shared<std::string>();
    cmd->add_option("-f,--format", *format, "Output: yaml (default), json, or a template");
    cmd->callback([&context, format] {
        auto chosen = context.manager.default_provider();
        auto info = info_json(context.manager.list(), context.store,
                              context.manager.provider(chosen.name), chosen.reason);
        if (*format == "json") {
            print_json(info);
        } else if (format->empty() || *format == "yaml") {
            YAML::Emitter out;
            out << to_yaml(info);
            std::cout << out.c_str() << "\n";
        } else {
            print_template(*format, {info}, {}, false);
        }
    });
}

} // namespace machine::cli
