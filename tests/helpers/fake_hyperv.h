#pragma once
// Hyper-V as the hyperv provider's scripts see it, in memory: a ProcessRunner that answers each
// script powershell.exe would run by the step its first line names (recording every command),
// and the hvsock the provider listens and connects on. Its guest says Ready as soon as its VM
// runs, and serves no machine-mux. Programs other than powershell.exe go to `others` (a real
// runner, for the contract test's qemu-img) or succeed with no output.
#include "machine/command.h"
#include "machine/errors.h"
#include "platform/hvsock.h"
#include "providers/hyperv/powershell_script.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace machine::test {

class FakeHyperV : public ProcessRunner, public platform::Hvsock {
public:
    struct Vm {
        std::string name;
        std::string state = "Off";
    };

    std::vector<Command> commands;  // everything run, in order
    std::vector<std::string> steps; // the step of each script powershell.exe was given
    std::map<std::string, Vm> vms;  // by id
    bool services_registered = false;
    std::string fail_step; // the step whose script exits 1
    int exit_code = 1;     // with this code
    ProcessRunner *others = nullptr;
    std::vector<std::string> listened;  // "VM-ID SERVICE-ID" for each listen()
    std::vector<std::string> connected; // and each connect()

    ProcessResult run(const Command &command) override {
        commands.push_back(command);
        if (command.program != "powershell.exe")
            return others ? others->run(command) : ProcessResult{};
        auto step = ps_script_step(command.input);
        steps.push_back(step);
        if (step == fail_step)
            return {exit_code, "", "the fake Hyper-V fails \"" + step + "\"\r\n"};
        auto id = first_match(command.input,
                              R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
        if (step == "create VM") {
            auto name = first_match(command.input, R"(New-VM -Name '([^']*)')", 1);
            std::erase_if(vms, [&](const auto &vm) { return vm.second.name == name; });
            char made[40];
            std::snprintf(made, sizeof made, "%08x-0000-4000-8000-%012x", next_id_, next_id_);
            ++next_id_;
            vms[made] = {name, "Off"};
            return {0, std::string(made) + "\r\n", ""};
        }
        if (step == "VM state")
            return {0, (vms.count(id) ? vms[id].state : "Missing") + "\r\n", ""};
        if (step == "start VM") {
            if (!vms.count(id))
                return {1, "", "Hyper-V has no VM " + id + "\r\n"};
            vms[id].state = "Running";
        }
        if (step == "stop VM" && vms.count(id))
            vms[id].state = "Off";
        if (step == "remove VM") {
            auto name = first_match(command.input, R"(\$_\.Name -eq '([^']*)')", 1);
            std::erase_if(vms,
                          [&](const auto &vm) { return vm.first == id || vm.second.name == name; });
        }
        if (step == "check hvsock services")
            return {0, services_registered ? "registered\r\n" : "missing\r\n", ""};
        if (step == "register hvsock services as administrator")
            services_registered = true;
        return {}; // check host, add KVP items, resize disk
    }

    std::unique_ptr<platform::HvsockListener> listen(const std::string &vm_id,
                                                     const std::string &service_id) override {
        listened.push_back(vm_id + " " + service_id);
        return std::make_unique<Listener>(*this, vm_id);
    }

    platform::Fd connect(const std::string &vm_id, const std::string &service_id) override {
        connected.push_back(vm_id + " " + service_id);
        throw SystemError("the fake guest serves no machine-mux", ECONNREFUSED);
    }

    // Every VM stops at once, as if killed from outside.
    void kill_all() {
        for (auto &vm : vms)
            vm.second.state = "Off";
    }

private:
    class Listener : public platform::HvsockListener {
    public:
        Listener(FakeHyperV &hyperv, std::string vm_id)
            : hyperv_(hyperv), vm_id_(std::move(vm_id)) {}
        Result read_line(platform::Clock::time_point deadline, std::string &line) override {
            auto vm = hyperv_.vms.find(vm_id_);
            if (vm != hyperv_.vms.end() && vm->second.state == "Running") {
                line = "Ready";
                return Result::line;
            }
            std::this_thread::sleep_until(
                std::min(deadline, platform::Clock::now() + std::chrono::milliseconds(20)));
            return Result::timeout;
        }

    private:
        FakeHyperV &hyperv_;
        std::string vm_id_;
    };

    static std::string first_match(const std::string &text, const char *pattern, int group = 0) {
        std::smatch match;
        return std::regex_search(text, match, std::regex(pattern)) ? match[group].str()
                                                                   : std::string();
    }

    unsigned next_id_ = 1;
};

} // namespace machine::test
