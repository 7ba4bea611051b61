#pragma once
// WSL as the WSL provider sees it, without Windows: a recording runner that answers wsl.exe and
// keeps WSL's state (which distributions are registered, which run, their disks), and local shell
// commands standing in for the processes whose stdio is the provider's (the agent at start, which
// reads its config and says Ready; machine-mux, an echo). Running anything in a distribution
// starts it, as wsl.exe does.
#include "machine/command.h"
#include "platform/stdio_process.h"
#include "providers/wsl/wsl_provider.h"
#include "recording_runner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace machine::test {

// `text` as wsl.exe writes it by default, UTF-16LE with a byte order mark: the provider must read
// it even though it asks for UTF-8.
inline std::string utf16le(const std::string &text) {
    std::string bytes = "\xff\xfe";
    for (char c : text) {
        bytes += c;
        bytes += '\0';
    }
    return bytes;
}

struct FakeWsl {
    RecordingRunner runner;
    std::set<std::string> registered, running;
    std::map<std::string, std::filesystem::path> install_dirs;
    std::string fail_at; // an argument whose commands fail ("--import", the agent's path...)
    std::vector<Command> spawned;
    // What the stand-in agent at start does once it has read its config (saved to `received`).
    std::string agent_script = "echo Ready";
    std::filesystem::path received = "/dev/null";

    FakeWsl() {
        runner.respond = [this](const Command &c) { return answer(c); };
    }
    FakeWsl(const FakeWsl &) = delete;
    FakeWsl &operator=(const FakeWsl &) = delete;

    // A Windows host with WSL, as check_host() sees it.
    static WslHost windows() { return {platform::HostOs::windows, "C:\\Windows\\wsl.exe"}; }

    static std::string distribution(const Command &c) {
        return c.args.size() > 1 && c.args[0] == "-d" ? c.args[1] : std::string();
    }

    ProcessResult answer(const Command &c) {
        if (c.program != "wsl.exe")
            return {}; // not WSL's (podman's connection registration, at init)
        const auto &args = c.args;
        if (!fail_at.empty() && std::find(args.begin(), args.end(), fail_at) != args.end())
            return {1, "", "wsl: injected failure\n"};
        if (args[0] == "--list") {
            std::string out;
            for (const auto &name : args.size() == 3 ? running : registered)
                out += name + "\r\n";
            if (out.empty())
                return {1, utf16le("There are no running distributions.\r\n"), ""};
            return {0, utf16le(out), ""};
        }
        if (args[0] == "--import") {
            registered.insert(args[1]);
            install_dirs[args[1]] = args[2];
            std::ofstream(std::filesystem::path(args[2]) / "ext4.vhdx") << "disk of " << args[1];
        }
        if (args[0] == "--terminate")
            running.erase(args[1]);
        if (args[0] == "--unregister") {
            if (!registered.count(args[1]))
                return {1, "There is no distribution with the supplied name.\r\n", ""};
            std::filesystem::remove(install_dirs[args[1]] / "ext4.vhdx");
            registered.erase(args[1]);
            running.erase(args[1]);
        }
        if (args[0] == "-d") {
            if (!registered.count(args[1]))
                return {1, "There is no distribution with the supplied name.\r\n", ""};
            running.insert(args[1]);
            if (std::find(args.begin(), args.end(), "/dev/stdout") != args.end())
                return {0, "Ready\n", ""};
        }
        return {};
    }

    WslProvider::Spawn spawn() {
        return [this](const Command &command, const std::filesystem::path &log) {
            spawned.push_back(command);
            if (auto name = distribution(command); registered.count(name))
                running.insert(name);
            bool mux = command.args.back() == "--mux-stdio";
            Command local{
                "/bin/sh",
                {"-c", mux ? "exec cat" : "cat >\"$0\"; " + agent_script, received.string()},
                {},
                command.input};
            return std::make_unique<platform::StdioProcess>(local, log);
        };
    }

    // The wsl.exe argument lists run so far, in order.
    std::vector<std::vector<std::string>> wsl_calls() const {
        std::vector<std::vector<std::string>> calls;
        for (const auto &c : runner.commands)
            if (c.program == "wsl.exe")
                calls.push_back(c.args);
        return calls;
    }
};

} // namespace machine::test
