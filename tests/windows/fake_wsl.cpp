// A stand-in for wsl.exe under Wine, for the wsl provider's lifecycle run by the real
// machine.exe. It answers the commands the provider runs as Microsoft documents them: `--import
// DISTRO DIR TAR --version 2` registers a distribution whose disk (DIR\ext4.vhdx) appears in DIR,
// `--list --quiet [--running]` prints one name a line (UTF-16LE, or UTF-8 when WSL_UTF8=1; with
// none to list, a message and exit code -1), `--terminate` and `--unregister` (which deletes the
// disk), and `-d DISTRO -u USER --exec ARGV...`, which starts the distribution and runs ARGV in
// it. Of what runs inside it plays our agent only as far as the lifecycle sees it: a provisioning
// run without --no-wait prints "Ready" and lasts until the distribution is terminated;
// `--mux-stdio` fails, as there is no guest here to carry machine-mux to.
// The distributions are kept in `fake-wsl.json` beside this program; every run is appended to
// `fake-wsl.log` beside it as one JSON line: {"argv": [...], "stdin": "...", "WSL_UTF8": "..."}.
#include "fake_files.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <io.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <windows.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json load_state() {
    return machine::test::load_state("fake-wsl.json", {{"distributions", json::object()}});
}

void save_state(const json &state) {
    machine::test::save_state("fake-wsl.json", state);
}

bool utf8_wanted() {
    const char *value = std::getenv("WSL_UTF8");
    return value && std::string(value) == "1";
}

// One line as wsl.exe writes it: UTF-16LE unless WSL_UTF8=1 (the names here are ASCII).
void say(const std::string &line) {
    std::string text = line + "\r\n";
    if (!utf8_wanted()) {
        std::string wide;
        for (char c : text)
            wide += std::string{c, '\0'};
        text = wide;
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
}

int fail(const std::string &message) {
    say(message);
    return 1;
}

int list(json &distributions, bool running_only) {
    int listed = 0;
    for (auto &[name, distribution] : distributions.items())
        if (!running_only || distribution["state"] == "Running") {
            say(name);
            ++listed;
        }
    if (listed > 0)
        return 0;
    say(running_only ? "There are no running distributions."
                     : "Windows Subsystem for Linux has no installed distributions.");
    return -1;
}

// What a command run inside a distribution does, as the lifecycle sees it.
int run_inside(json &state, const std::string &name, const std::vector<std::string> &argv) {
    auto &distribution = state["distributions"][name];
    distribution["state"] = "Running"; // WSL boots it to run anything
    save_state(state);
    bool agent = !argv.empty() && argv[0] == "/usr/local/bin/machine-agent";
    bool mux = agent && argv.size() > 1 && argv[1] == "--mux-stdio";
    bool waits = agent && !mux && std::find(argv.begin(), argv.end(), "--no-wait") == argv.end();
    if (mux) {
        std::fputs("fake wsl: no guest here to carry machine-mux\n", stderr);
        return 1;
    }
    if (!waits)
        return 0;
    std::fputs("Ready\n", stdout);
    std::fflush(stdout);
    // The agent lasts as long as its distribution.
    while (load_state()["distributions"][name]["state"] == "Running")
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string input;
    // Only commands run inside a distribution read stdin (the provider gives them files on it).
    if (args.size() > 1 && args[0] == "-d") {
        std::stringstream all;
        all << std::cin.rdbuf();
        input = all.str();
    }
    const char *utf8 = std::getenv("WSL_UTF8");
    machine::test::log_run("fake-wsl.log",
                           {{"argv", args}, {"stdin", input}, {"WSL_UTF8", utf8 ? utf8 : ""}});

    auto state = load_state();
    auto &distributions = state["distributions"];
    auto known = [&](const std::string &name) { return distributions.contains(name); };
    if (args.size() == 6 && args[0] == "--import" && args[4] == "--version" && args[5] == "2") {
        if (known(args[1]))
            return fail("A distribution with the supplied name already exists.");
        if (!fs::is_regular_file(args[3]))
            return fail("The system cannot find the file specified.");
        fs::create_directories(args[2]);
        std::ofstream(fs::path(args[2]) / "ext4.vhdx") << "fake";
        distributions[args[1]] = {{"dir", args[2]}, {"state", "Stopped"}};
        save_state(state);
        say("Import in progress, this may take a few minutes.");
        say("The operation completed successfully.");
        return 0;
    }
    if (args.size() >= 2 && args[0] == "--list" && args[1] == "--quiet")
        return list(distributions, args.size() == 3 && args[2] == "--running");
    if (args.size() == 2 && (args[0] == "--terminate" || args[0] == "--unregister")) {
        if (!known(args[1]))
            return fail("There is no distribution with the supplied name.");
        if (args[0] == "--unregister") {
            fs::remove(fs::path(distributions[args[1]]["dir"].get<std::string>()) / "ext4.vhdx");
            distributions.erase(args[1]);
        } else {
            distributions[args[1]]["state"] = "Stopped";
        }
        save_state(state);
        say("The operation completed successfully.");
        return 0;
    }
    if (args.size() >= 6 && args[0] == "-d" && args[2] == "-u" && args[4] == "--exec") {
        if (!known(args[1]))
            return fail("There is no distribution with the supplied name.");
        return run_inside(state, args[1], {args.begin() + 5, args.end()});
    }
    return fail("the fake wsl.exe does not know: " + json(args).dump());
}
