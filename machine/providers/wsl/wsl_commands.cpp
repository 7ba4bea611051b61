#include "providers/wsl/wsl_commands.h"

namespace machine {

namespace {

Command wsl(std::vector<std::string> args, std::string input = {}) {
    return {std::string(wsl_program), std::move(args), {{"WSL_UTF8", "1"}}, std::move(input)};
}

// A command run as root in `distribution`, without a shell.
Command wsl_exec(const std::string &distribution, std::vector<std::string> argv,
                 std::string input = {}) {
    std::vector<std::string> args{"-d", distribution, "-u", "root", "--exec"};
    args.insert(args.end(), argv.begin(), argv.end());
    return wsl(std::move(args), std::move(input));
}

// The setup script: fixed text, so its stdin and its arguments are all that vary. One line: it
// passes through a Windows command line on its way.
constexpr const char *setup_script =
    "set -e; umask 022; cat >/etc/wsl.conf; rm -f /etc/resolv.conf; "
    "for unit in \"$@\"; do ln -sfn /dev/null \"/etc/systemd/system/$unit\"; done";

} // namespace

std::string wsl_distribution(const std::string &machine) {
    return "machine-" + machine;
}

Command wsl_import(const std::string &distribution, const std::string &install_dir,
                   const std::string &rootfs_tar) {
    return wsl({"--import", distribution, install_dir, rootfs_tar, "--version", "2"});
}

std::vector<std::string> wsl_masked_units() {
    return {"systemd-networkd.service", "systemd-networkd.socket", "systemd-resolved.service",
            "machine-agent.service", "machine-api.service"};
}

Command wsl_setup(const std::string &distribution, const std::string &wsl_conf) {
    std::vector<std::string> argv{"/bin/sh", "-c", setup_script, "sh"};
    for (const auto &unit : wsl_masked_units())
        argv.push_back(unit);
    return wsl_exec(distribution, std::move(argv), wsl_conf);
}

Command wsl_provision(const std::string &distribution, const std::string &ignition, bool wait) {
    std::vector<std::string> argv{std::string(wsl_agent_path), "--config", "/dev/stdin",
                                  "--ready-port", "/dev/stdout"};
    if (!wait)
        argv.push_back("--no-wait");
    return wsl_exec(distribution, std::move(argv), ignition);
}

Command wsl_mux_stdio(const std::string &distribution) {
    return wsl_exec(distribution, {std::string(wsl_agent_path), "--mux-stdio"});
}

Command wsl_login(const std::string &distribution, const std::string &user,
                  const std::string &command_line) {
    std::vector<std::string> args{"-d", distribution, "-u", user, "--cd", "~"};
    if (!command_line.empty())
        args.insert(args.end(), {"--exec", "/bin/sh", "-c", command_line});
    return {std::string(wsl_program), std::move(args), {}, {}};
}

Command wsl_terminate(const std::string &distribution) {
    return wsl({"--terminate", distribution});
}

Command wsl_unregister(const std::string &distribution) {
    return wsl({"--unregister", distribution});
}

Command wsl_list_running() {
    return wsl({"--list", "--quiet", "--running"});
}

Command wsl_list_all() {
    return wsl({"--list", "--quiet"});
}

} // namespace machine
