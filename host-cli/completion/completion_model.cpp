#include "completion/completion_model.h"

namespace machine::cli {

namespace {

std::vector<std::string> flags_of(const CLI::App &app) {
    std::vector<std::string> flags;
    for (const auto *option : app.get_options()) {
        for (const auto &name : option->get_lnames())
            flags.push_back("--" + name);
        for (const auto &name : option->get_snames())
            flags.push_back("-" + name);
    }
    return flags;
}

// A verb whose words are a machine's name: a positional "name" or "names", or the words of
// `ssh` (NAME first); not `init`, whose name is a new one.
bool takes_machine_names(const CLI::App &verb) {
    if (verb.get_name() == "init")
        return false;
    if (verb.get_prefix_command())
        return true;
    for (const auto *option : verb.get_options())
        if (!option->nonpositional() &&
            (option->get_name(true) == "name" || option->get_name(true) == "names"))
            return true;
    return false;
}

} // namespace

CompletionModel completion_model(const CLI::App &app) {
    CompletionModel model;
    model.global_flags = flags_of(app);
    for (const auto *verb : app.get_subcommands([](const CLI::App *) { return true; })) {
        if (verb->get_group().empty()) // hidden (the forwarder)
            continue;
        model.verbs.push_back({verb->get_name(), verb->get_description(), flags_of(*verb),
                               takes_machine_names(*verb)});
        for (const auto &alias : verb->get_aliases()) // `ls`, as `list`
            model.verbs.push_back(
                {alias, verb->get_description(), flags_of(*verb), takes_machine_names(*verb)});
    }
    return model;
}

} // namespace machine::cli
