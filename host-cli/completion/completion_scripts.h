#pragma once
// The completion script of each shell, rendered from the CLI's definitions (completion_model.h):
// verbs, each verb's flags, and the names of existing machines (`machine list -q`, asked when
// completing) where a verb takes one. Pure.
#include "completion/completion_model.h"

#include <string>

namespace machine::cli {

// "bash", "zsh", "fish" or "powershell"; empty for another shell.
std::string completion_script(const std::string &shell, const CompletionModel &model);

} // namespace machine::cli
