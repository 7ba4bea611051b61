#pragma once
// A provider that keeps its state in memory and can be told to fail at a step, for testing the
// lifecycle in MachineManager without a hypervisor.
#include "machine/errors.h"
#include "machine/provider.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace machine::test {

struct FakeProviderState {
    std::set<std::string> disks;   // machines whose disk exists
    std::set<std::string> running; // machines that are running
    std::string fail_at;           // "create", "remove" or "grow_disk"
    std::vector<std::string> calls;
};

class FakeProvider : public Provider {
public:
    explicit FakeProvider(FakeProviderState &state) : state_(state) {}

    std::string name() const override { return "fake"; }
    ProviderFeatures features() const override { return {}; }

    void create(const MachineConfig &config, const Layout &layout) override {
        step("create");
        std::ofstream(layout.disk()) << "disk of " << config.name;
        state_.disks.insert(config.name);
    }
    void remove(const MachineConfig &config, const Layout &layout) override {
        step("remove");
        std::filesystem::remove(layout.disk());
        state_.disks.erase(config.name);
    }
    MachineState state(const MachineConfig &config, const Layout &) override {
        return state_.running.count(config.name) ? MachineState::running : MachineState::stopped;
    }
    void start(const MachineConfig &config, const Layout &,
               const std::function<void(const std::string &)> &) override {
        step("start");
        state_.running.insert(config.name);
    }
    void stop(const MachineConfig &config, const Layout &, std::chrono::seconds) override {
        step("stop");
        state_.running.erase(config.name);
    }
    void grow_disk(const MachineConfig &, const Layout &, std::uint64_t) override {
        step("grow_disk");
    }

private:
    void step(const std::string &name) {
        state_.calls.push_back(name);
        if (state_.fail_at == name)
            throw ProcessFailed("fake " + name, 1, "injected failure");
    }
    FakeProviderState &state_;
};

} // namespace machine::test
