// `machine completion bash|zsh|fish|powershell`: the shell's completion script, rendered from
// the CLI's own definitions (completion/), e.g. `source <(machine completion bash)`.
#include "completion/completion_model.h"
#include "completion/completion_scripts.h"
#include "context.h"
#include "machine/errors.h"
#include "machine/printable.h"

#include <fmt/format.h>
#include <iostream>

namespace machine::cli {

void add_completion_command(CLI::App &app) {
    auto *cmd = app.add_subcommand("completion", "Print the completion script of a shell");
    auto shell = std::make_shared<std::string>();
    cmd->add_option("shell", *shell, "bash, zsh, fish or powershell")->required();
    cmd->callback([&app, shell] {
        auto script = completion_script(*shell, completion_model(app));
        if (script.empty())
            throw InvalidInput("shell",
                               fmt::format("completion: \"{}\" is not a shell completed for; give "
                                           "bash, zsh, fish or powershell",
                                           printable(*shell)));
        std::cout << script;
    });
}

} // namespace machine::cli
