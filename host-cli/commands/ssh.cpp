// `machine ssh [NAME] [COMMAND [ARG...]]`: a shell in the guest, or one command whose exit code
// becomes ours.
#include "context.h"
#include "machine/awake_hold.h"
#include "machine/command.h"
#include "machine/errors.h"
#include "machine/ssh_session.h"
#include "platform/process_runner.h"
#include "platform/terminal.h"

#include <optional>

namespace machine::cli {

namespace {

SshTarget target_of(const MachineConfig &config, const SshEndpoint &ssh,
                    const std::string &username) {
    return {ssh.host,
            ssh.port,
            username.empty() ? config.ssh.username : username,
            config.ssh.identity_path,
            config.ssh.host_key_fingerprint,
            config.name};
}

// One word is a shell command line, as with ssh(1) and `podman machine ssh` ("sudo journalctl |
// tail"); several words are one argv, each quoted, so `sh -c 'exit 7'` keeps its argument.
std::string remote_command(const std::vector<std::string> &words) {
    if (words.size() == 1)
        return words.front();
    std::string command;
    for (const auto &word : words)
        command += (command.empty() ? "" : " ") + shell_quote(word);
    return command;
}

// The config of a machine that runs; WrongState when it does not.
MachineConfig running_config(Context &context, const std::string &name) {
    auto status = context.manager.status(name);
    if (status.state != MachineState::running)
        throw WrongState("machine \"" + name + "\" is not running",
                         "start it with `machine start " + name + "`");
    return *status.config;
}

} // namespace

SshTarget ssh_target(Context &context, const std::string &name, const std::string &username) {
    auto config = running_config(context, name);
    auto &provider = context.manager.provider_of(config);
    auto ssh = provider.ssh_endpoint(config, context.store.layout(name));
    if (ssh.host.empty())
        throw HostNotReady("machine \"" + name + "\" (provider " + provider.name() +
                               ") has no SSH, which this needs",
                           "copy through its API instead (docker cp), or a folder it shares");
    return target_of(config, ssh, username);
}

namespace {

// The provider's way in for a running machine that has no SSH; nullopt where SSH is the way.
// Throws HostNotReady for a machine that has neither (Hyper-V without a network adapter).
std::optional<Command> login_command(Context &context, const std::string &name,
                                     const std::string &username,
                                     const std::vector<std::string> &words) {
    auto config = running_config(context, name);
    auto &provider = context.manager.provider_of(config);
    if (!provider.ssh_endpoint(config, context.store.layout(name)).host.empty())
        return std::nullopt;
    auto login = provider.login_command(config, username.empty() ? config.ssh.username : username,
                                        words.empty() ? std::string() : remote_command(words));
    if (!login)
        throw HostNotReady("machine \"" + name + "\" (provider " + provider.name() +
                               ") has no SSH and no other way in",
                           "use the API (docker, podman --remote) to reach its containers");
    return login;
}

} // namespace

void add_ssh_command(CLI::App &app, Context &context) {
    auto *cmd = app.add_subcommand("ssh", "Log in to a machine, or run one command in it");
    auto username = std::make_shared<std::string>();
    cmd->add_option("--username", *username, "User to log in as (default: the machine's)");
    cmd->footer("Usage: machine ssh [--username USER] [NAME] [--] [COMMAND [ARG...]]");
    // From the first word on, everything is NAME and the command, its flags included. (main()
    // drops the `--` that may come first, which CLI11 would not pass through.)
    cmd->prefix_command();
    cmd->callback([&context, username, cmd] {
        auto words = std::make_shared<std::vector<std::string>>(cmd->remaining());
        std::string name = "default";
        if (!words->empty() && context.store.exists(words->front())) {
            name = words->front();
            words->erase(words->begin());
        }
        if (!words->empty() && words->front() == "--")
            words->erase(words->begin());
        // A machine without SSH (WSL) is entered the provider's own way, on this terminal.
        if (auto login = login_command(context, name, *username, *words)) {
            context.exit_code = platform::run_attached(*login);
            return;
        }
        auto target = ssh_target(context, name, *username);
        AwakeHold awake(context.store.load(name), context.store.layout(name));
        SshSession session(target, std::chrono::seconds(30));
        if (!words->empty()) {
            context.exit_code = session.exec(remote_command(*words), platform::stdin_fd,
                                             platform::stdout_fd, platform::stderr_fd);
            return;
        }
        const char *term = std::getenv("TERM");
        platform::RawTerminal raw(platform::stdin_fd);
        platform::terminal_resized(); // start watching before the PTY is sized
        context.exit_code = session.shell(
            term ? term : "xterm",
            [] {
                SshSession::WindowSize size;
                platform::terminal_size(platform::stdin_fd, size.columns, size.rows);
                return size;
            },
            [] { return platform::terminal_resized(); }, platform::stdin_fd, platform::stdout_fd);
    });
}

} // namespace machine::cli
