// `machine cp SRC DST`: copy files and folders between the host and a machine (NAME:PATH on one
// side), modes kept, with a progress bar for large files.
#include "context.h"
#include "machine/awake_hold.h"
#include "machine/errors.h"
#include "machine/ssh_session.h"
#include "output/progress_bar.h"
#include "platform/terminal.h"

namespace machine::cli {

SshTarget ssh_target(Context &context, const std::string &name, const std::string &username);

namespace {

struct Endpoint {
    std::string machine; // empty: the host
    std::string path;
};

Endpoint parse_endpoint(const std::string &text, const Store &store) {
    auto colon = text.find(':');
    if (colon != std::string::npos && colon > 0 && text.find('/') > colon) {
        auto name = text.substr(0, colon);
        if (store.exists(name))
            return {name, text.substr(colon + 1)};
        throw NotFound("machine \"" + name + "\" (in \"" + text + "\") does not exist",
                       "see `machine list`");
    }
    return {"", text};
}

} // namespace

void add_cp_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("cp", "Copy files between the host and a machine");
    auto source = std::make_shared<std::string>();
    auto destination = std::make_shared<std::string>();
    cmd->add_option("source", *source, "Host path or NAME:PATH")->required();
    cmd->add_option("destination", *destination, "Host path or NAME:PATH")->required();
    cmd->callback([&context, source, destination] {
        auto from = parse_endpoint(*source, context.store);
        auto to = parse_endpoint(*destination, context.store);
        if (from.machine.empty() == to.machine.empty())
            throw InvalidInput("cp", "cp: exactly one side must be NAME:PATH, e.g. `machine cp "
                                     "file.txt default:/tmp/`");
        ProgressBar progress;
        auto report = [&](std::uint64_t done, std::uint64_t total) { progress(done, total); };
        if (!to.machine.empty()) {
            if (!std::filesystem::exists(from.path))
                throw NotFound("cp: " + from.path + " does not exist");
            auto target = ssh_target(context, to.machine, "");
            AwakeHold awake(context.store.load(to.machine), context.store.layout(to.machine));
            SshSession session(target, std::chrono::seconds(30));
            session.upload(from.path, to.path, report);
        } else {
            auto target = ssh_target(context, from.machine, "");
            AwakeHold awake(context.store.load(from.machine), context.store.layout(from.machine));
            SshSession session(target, std::chrono::seconds(30));
            session.download(from.path, to.path, report);
        }
    });
}

} // namespace machine::cli
