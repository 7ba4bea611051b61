#pragma once
// What shell completion knows of the command line, read from the CLI's own definitions (CLI11's
// App), so the scripts never drift from the flags `machine` really takes.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace machine::cli {

struct VerbCompletion {
    std::string name;
    std::string description;
    std::vector<std::string> flags; // every spelling: "--cpus", "-f"
    bool machine_names = false;     // its words are machine names ("name", "names")
};

struct CompletionModel {
    std::vector<VerbCompletion> verbs; // in the order `machine --help` lists them; no hidden ones
    std::vector<std::string> global_flags;
};

CompletionModel completion_model(const CLI::App &app);

} // namespace machine::cli
