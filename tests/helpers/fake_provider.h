#pragma once
// A provider that keeps its state in memory and can be told how the guest behaves and where to
// fail, for testing the lifecycle in MachineManager without a hypervisor.
#include "machine/errors.h"
#include "machine/provider.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace machine::test {

struct FakeProviderState {
    std::set<std::string> disks;   // machines whose disk exists
    std::set<std::string> running; // machines that are running
    std::string fail_at;           // the step that throws: "create", "start", "grow_disk"...
    std::vector<std::string> calls;
    ProviderFeatures features{{"qcow2", "raw"}, false, {"9p"}, "fake", true, {"ignition"}};
    // What the guest does once started: "ready" says Ready, "silent" never does, "closed"
    // closes its channel, "dies" stops the VM, "fails" writes the agent's failure line.
    std::string guest = "ready";
    int ssh_port = 0; // where its sshd answers (a test's listener on 127.0.0.1)
    ProvisioningPayload delivered;
    std::vector<std::string> published; // "+tcp 80", "-tcp 80"
};

// The guest's ready channel, as `guest` says it behaves.
class FakeReadySignal : public ReadySignal {
public:
    FakeReadySignal(FakeProviderState &state, std::string name, std::filesystem::path console)
        : state_(state), name_(std::move(name)), console_(std::move(console)) {}

    Event wait(platform::Clock::time_point deadline) override {
        if (state_.guest == "ready")
            return Event::ready;
        if (state_.guest == "closed")
            return Event::closed;
        if (state_.guest == "dies")
            state_.running.erase(name_);
        if (state_.guest == "fails")
            std::ofstream(console_, std::ios::app)
                << "machine-agent: cannot provision: no user; not sending Ready\n";
        std::this_thread::sleep_until(
            std::min(deadline, platform::Clock::now() + std::chrono::milliseconds(20)));
        return Event::nothing;
    }

private:
    FakeProviderState &state_;
    std::string name_;
    std::filesystem::path console_;
};

class FakePublisher : public PortPublisher {
public:
    explicit FakePublisher(FakeProviderState &state) : state_(state) {}
    std::string add(const PublishedPort &port) override {
        state_.published.push_back("+" + port.protocol + " " + std::to_string(port.port));
        return {};
    }
    void remove(const PublishedPort &port) override {
        state_.published.push_back("-" + port.protocol + " " + std::to_string(port.port));
    }

private:
    FakeProviderState &state_;
};

class FakeProvider : public Provider {
public:
    explicit FakeProvider(FakeProviderState &state) : state_(state) {}

    std::string name() const override { return "fake"; }
    ProviderFeatures features() const override { return state_.features; }
    void check_host() const override {}
    std::map<std::string, std::string> host_facts() const override { return {{"Fake", "yes"}}; }
    ProviderFiles files(const Layout &layout) const override {
        return {layout.data_dir() / "fake.disk", {}};
    }

    void create(MachineConfig &config, const Layout &layout,
                const ProvisioningPayload &payload) override {
        step("create");
        std::ofstream(files(layout).disk) << "disk of " << config.name;
        state_.disks.insert(config.name);
        state_.delivered = payload;
        config.provider_state["disk"] = "fake.disk";
    }
    void update_payload(const MachineConfig &, const Layout &,
                        const ProvisioningPayload &payload) override {
        step("update_payload");
        state_.delivered = payload;
    }
    void remove(const MachineConfig &config, const Layout &layout) override {
        step("remove");
        std::filesystem::remove(files(layout).disk);
        state_.disks.erase(config.name);
    }
    void prune_images(const MachineConfig &) override { step("prune_images"); }
    MachineState state(const MachineConfig &config, const Layout &) override {
        return state_.running.count(config.name) ? MachineState::running : MachineState::stopped;
    }
    std::unique_ptr<ReadySignal> start(const MachineConfig &config, const Layout &layout,
                                       const std::function<void(const std::string &)> &) override {
        step("start");
        state_.running.insert(config.name);
        return std::make_unique<FakeReadySignal>(state_, config.name, layout.console_log());
    }
    void stop(const MachineConfig &config, const Layout &, std::chrono::seconds) override {
        step("stop");
        state_.running.erase(config.name);
    }
    void grow_disk(const MachineConfig &, const Layout &, std::uint64_t) override {
        step("grow_disk");
    }
    SshEndpoint ssh_endpoint(const MachineConfig &, const Layout &) const override {
        return {"127.0.0.1", state_.ssh_port};
    }
    platform::Fd connect_agent(const MachineConfig &, const Layout &) const override {
        throw SystemError("the fake guest has no agent", ECONNREFUSED);
    }
    std::unique_ptr<PortPublisher> port_publisher(const MachineConfig &,
                                                  const Layout &) const override {
        return std::make_unique<FakePublisher>(state_);
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
