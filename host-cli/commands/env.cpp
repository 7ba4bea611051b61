// `machine env [NAME] [--shell bash|zsh|fish|powershell|cmd]`: the exports that point the docker
// CLI and podman's remote client at the machine, for `eval "$(machine env)"` (PowerShell:
// `machine env | Invoke-Expression`).
#include "context.h"
#include "machine/command.h"
#include "machine/connections.h"
#include "machine/errors.h"
#include "platform/host.h"

#include <iostream>

namespace machine::cli {

void add_env_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("env", "Print the environment that points clients at a machine");
    auto name = std::make_shared<std::string>("default");
    auto shell = std::make_shared<std::string>();
    cmd->add_option("name", *name, "Name of the machine")->capture_default_str();
    cmd->add_option("--shell", *shell,
                    "bash, zsh, fish, powershell or cmd (default: from $SHELL; on Windows, "
                    "powershell)");
    cmd->callback([&context, name, shell] {
        context.store.load(*name); // a missing machine is an error, not empty exports
        auto uri = api_uri(*name, context.store.layout(*name).api_socket().string());
        std::string kind = *shell;
        if (kind.empty() && platform::host_os() == platform::HostOs::windows) {
            kind = "powershell";
        } else if (kind.empty()) {
            const char *login = std::getenv("SHELL");
            std::string path = login ? login : "";
            kind = path.size() >= 4 && path.substr(path.size() - 4) == "fish" ? "fish" : "bash";
        }
        for (const char *variable : {"DOCKER_HOST", "CONTAINER_HOST"}) {
            if (kind == "bash" || kind == "zsh" || kind == "sh")
                std::cout << "export " << variable << "=" << shell_quote(uri) << "\n";
            else if (kind == "fish")
                std::cout << "set -gx " << variable << " " << shell_quote(uri) << ";\n";
            else if (kind == "powershell" || kind == "pwsh")
                std::cout << "$Env:" << variable << " = \"" << uri << "\"\n";
            else if (kind == "cmd")
                std::cout << "SET " << variable << "=" << uri << "\n";
            else
                throw InvalidInput("--shell", "--shell: \"" + kind +
                                                  "\" is not known; use bash, zsh, fish, "
                                                  "powershell or cmd");
        }
    });
}

} // namespace machine::cli
