// A stand-in for powershell.exe under Wine, for the hyperv provider's lifecycle run by the real
// machine.exe. It behaves as `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass
// -Command -` is documented to: the script is read from stdin to its end, its output is written
// with CRLF line ends, a terminating error goes to stderr and `exit N` sets the exit code. What
// Hyper-V would do is kept in `fake-hyperv.json` beside this program (the VMs by id, with name and
// state; whether the hvsock services are registered), and every run is appended to
// `fake-powershell.log` beside it as one JSON line: {"argv": [...], "stdin": "..."}.
// The step a script names on its first line ("# machine: STEP") picks the answer; the variable
// FAKE_POWERSHELL_FAIL=STEP makes that step fail with exit code 1.
#include "fake_files.h"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <io.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <windows.h>

using nlohmann::json;

namespace {

std::string first_match(const std::string &text, const char *pattern, int group = 0) {
    std::smatch match;
    return std::regex_search(text, match, std::regex(pattern)) ? match[group].str() : std::string();
}

int say(const std::string &line) {
    std::fputs((line + "\r\n").c_str(), stdout);
    return 0;
}

int fail(const std::string &message) {
    std::fputs((message + "\r\n").c_str(), stderr);
    return 1;
}

int answer(const std::string &step, const std::string &script, json &state) {
    auto &vms = state["vms"];
    auto id =
        first_match(script, R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
    if (step == "create VM") {
        auto name = first_match(script, R"(New-VM -Name '([^']*)')", 1);
        char made[40];
        int next = state["next_id"].get<int>();
        std::snprintf(made, sizeof made, "%08x-0000-4000-8000-%012x", next, next);
        state["next_id"] = next + 1;
        vms[made] = {{"name", name},
                     {"state", "Off"},
                     {"memory", first_match(script, R"(-MemoryStartupBytes (\d+))", 1)},
                     {"cpus", first_match(script, R"(Set-VMProcessor -VM \$vm -Count (\d+))", 1)}};
        return say(made);
    }
    if (step == "VM state")
        return say(vms.contains(id) ? vms[id]["state"].get<std::string>() : "Missing");
    if (step == "start VM") {
        if (!vms.contains(id))
            return fail("Hyper-V has no VM " + id + ": it was removed outside machine");
        vms[id]["state"] = "Running";
    }
    if (step == "stop VM" && vms.contains(id))
        vms[id]["state"] = "Off";
    if (step == "remove VM") {
        auto name = first_match(script, R"(\$_\.Name -eq '([^']*)')", 1);
        for (auto vm = vms.begin(); vm != vms.end();)
            vm = vm.key() == id || (*vm)["name"] == name ? vms.erase(vm) : std::next(vm);
    }
    if (step == "check hvsock services")
        return say(state["services_registered"].get<bool>() ? "registered" : "missing");
    if (step == "register hvsock services as administrator")
        state["services_registered"] = true;
    return 0; // check host, add KVP items, resize disk: nothing to print
}

} // namespace

int main(int argc, char **argv) {
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    _setmode(2, _O_BINARY);
    std::stringstream input;
    input << std::cin.rdbuf();
    auto script = input.str();

    json record = {{"argv", json::array()}, {"stdin", script}};
    for (int i = 1; i < argc; ++i)
        record["argv"].push_back(argv[i]);
    machine::test::log_run("fake-powershell.log", record);

    const std::string prefix = "# machine: ";
    if (script.rfind(prefix, 0) != 0)
        return fail("the fake powershell.exe runs only the scripts machine writes");
    auto step = script.substr(prefix.size(), script.find('\n') - prefix.size());
    if (const char *failing = std::getenv("FAKE_POWERSHELL_FAIL"); failing && step == failing)
        return fail("the fake Hyper-V fails \"" + step + "\"");
    auto state = machine::test::load_state(
        "fake-hyperv.json",
        {{"vms", json::object()}, {"services_registered", false}, {"next_id", 1}});
    int code = answer(step, script, state);
    machine::test::save_state("fake-hyperv.json", state);
    return code;
}
