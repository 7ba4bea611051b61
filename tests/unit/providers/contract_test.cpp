// The promises of provider.h, checked against every provider this build registers (and the fake
// the lifecycle tests use): create twice, remove what is gone, stop a stopped machine, and the
// state after the VM is killed from outside. QEMU runs for real (no guest: firmware finds
// nothing to boot), so this is a test with child processes, not a pure unit test. Hyper-V,
// which needs Windows, runs its glue against a fake Hyper-V (tests/helpers/fake_hyperv.h), WSL
// against a fake wsl.exe (tests/helpers/fake_wsl.h), and vfkit and krunkit, which need macOS,
// against the fake vfkit, krunkit and gvproxy (tests/helpers/fake_apple.h).
#include "../../helpers/fake_apple.h"
#include "../../helpers/fake_hyperv.h"
#include "../../helpers/fake_provider.h"
#include "../../helpers/fake_wsl.h"
#include "../../helpers/temp_dir.h"
#include "machine/provider_registry.h"
#include "platform/host.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"
#include "platform/unix_socket.h"
#include "providers/apple/apple_files.h"
#include "providers/apple/krunkit_provider.h"
#include "providers/apple/vfkit_provider.h"
#include "providers/hyperv/hyperv_provider.h"
#include "providers/libvirt/libvirt_names.h"
#include "providers/qemu/qemu_files.h"
#include "providers/wsl/wsl_provider.h"

#include <catch2/catch.hpp>
#include <thread>

using namespace machine;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// How a test kills a provider's VM from outside, as a crash or `kill -9` would.
using Killer = std::function<void(const Layout &)>;

struct Subject {
    std::unique_ptr<test::FakeHyperV> hyperv; // what stands in for Hyper-V, when it is Hyper-V
    std::unique_ptr<Provider> provider;
    Killer kill;
    bool ssh = true;                                  // it has an SSH endpoint
    std::unique_ptr<test::FakeWsl> wsl = nullptr;     // what stands in for WSL, when it is WSL
    std::unique_ptr<test::FakeApple> apple = nullptr; // the fake Mac, for vfkit and krunkit
    std::string image_format = "qcow2";               // the base image it boots
};

test::FakeProviderState fake_state;

Subject subject(const std::string &name, ProcessRunner &runner) {
    if (name == "fake")
        return {nullptr, std::make_unique<test::FakeProvider>(fake_state),
                [](const Layout &layout) { fake_state.running.erase(layout.name()); }};
    if (name == "hyperv") {
        // Hyper-V exists only on Windows: its glue runs here as there, against a fake Hyper-V.
        // No SSH: the VM has no network adapter.
        auto hyperv = std::make_unique<test::FakeHyperV>();
        hyperv->others = &runner;
        auto provider =
            std::make_unique<HyperVProvider>(*hyperv, *hyperv, platform::HostOs::windows);
        auto kill = [&fake = *hyperv](const Layout &) { fake.kill_all(); };
        return {std::move(hyperv), std::move(provider), kill, false};
    }
    if (name == "wsl") {
        // WSL too, against a fake wsl.exe and local stand-ins for the agent; no SSH either.
        auto wsl = std::make_unique<test::FakeWsl>();
        auto provider =
            std::make_unique<WslProvider>(wsl->runner, wsl->spawn(), test::FakeWsl::windows());
        auto kill = [&fake = *wsl](const Layout &) { fake.running.clear(); }; // `wsl --shutdown`
        Subject tested{nullptr, std::move(provider), kill, false};
        tested.wsl = std::move(wsl);
        return tested;
    }
    if (name == "applehv" || name == "libkrun") {
        // A Mac's hypervisors, here the fakes: real processes on real unix sockets. No SSH on
        // vfkit without macOS's DHCP leases; krunkit's through gvproxy.
        auto apple = std::make_unique<test::FakeApple>();
        std::unique_ptr<Provider> provider;
        if (name == "applehv")
            provider = std::make_unique<VfkitProvider>(apple->host);
        else
            provider = std::make_unique<KrunkitProvider>(apple->host);
        auto kill = [](const Layout &layout) {
            platform::kill_process(platform::read_pid_file(AppleFiles(layout).pid));
        };
        Subject tested{nullptr, std::move(provider), kill, name == "libkrun"};
        tested.apple = std::move(apple);
        tested.image_format = "raw";
        return tested;
    }
    Killer kill;
    if (name == "qemu")
        kill = [](const Layout &layout) {
            platform::kill_process(platform::read_pid_file(QemuFiles(layout).pid));
        };
    if (name == "libvirt") // the real libvirtd (.ci/libvirtd), on its default connection
        kill = [](const Layout &layout) {
            platform::kill_process(platform::read_pid_file(
                "/run/libvirt/qemu/" + libvirt_domain_name(layout.name()) + ".pid"));
        };
    REQUIRE(kill); // a new provider comes with its way to be killed here
    return {nullptr, ProviderRegistry::builtin().make(name, runner), kill};
}

std::vector<std::string> every_provider() {
    auto names = ProviderRegistry::builtin().names();
    names.push_back("fake");
    return names;
}

struct Machine {
    test::TempDir dir;
    StoreDirs dirs{dir.path / "config", dir.path / "data", dir.path / "run"};
    Layout layout{dirs, "contract"};
    MachineConfig config;
    ProvisioningPayload payload{"ignition", "{\"ignition\": {\"version\": \"3.4.0\"}}\n", {}, {}};

    Machine(const std::string &provider, ProcessRunner &runner,
            const std::string &image_format = "qcow2") {
        fs::create_directories(layout.data_dir());
        fs::create_directories(layout.runtime_dir());
        fs::permissions(layout.runtime_dir(), fs::perms::owner_all);
        config.name = "contract";
        config.provider = provider;
        config.arch = platform::host_arch();
        config.resources = {1, 256, 1};
        config.image.path = (dir.path / ("base." + image_format)).string();
        config.image.format = image_format;
        config.ssh.port = platform::free_loopback_port();
        // A raw base is copied whole where the file system cannot clone it (as here): kept small.
        runner.check({"qemu-img",
                      {"create", "-q", "-f", image_format, config.image.path,
                       image_format == "raw" ? "16M" : "1G"},
                      {}});
    }
};

bool eventually_stopped(Provider &provider, const Machine &m) {
    for (int i = 0; i < 100; ++i) {
        if (provider.state(m.config, m.layout) == MachineState::stopped)
            return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

} // namespace

TEST_CASE("every provider keeps the contract of provider.h", "[providers]") {
    auto name = GENERATE(from_range(every_provider()));
    INFO("provider: " << name);
    platform::SpawnProcessRunner runner;
    auto tested = subject(name, runner);
    auto &provider = tested.provider;
    auto &kill = tested.kill;
    Machine m(name, runner, tested.image_format);
    CHECK(provider->name() == name);
    // What a section made goes, even when it fails: a libvirt domain outlives the test's folders.
    struct Cleanup {
        Provider &provider;
        Machine &m;
        ~Cleanup() {
            try {
                provider.remove(m.config, m.layout);
            } catch (...) {
            }
        }
    } cleanup{*provider, m};

    SECTION("create twice finishes the job, remove twice is no error") {
        provider->create(m.config, m.layout, m.payload);
        provider->create(m.config, m.layout, m.payload); // after a partial run, or a whole one
        auto disk = provider->files(m.layout).disk;
        CHECK(fs::exists(disk));
        provider->remove(m.config, m.layout);
        CHECK_FALSE(fs::exists(disk));
        provider->remove(m.config, m.layout); // what is gone is not an error
    }

    SECTION("stopping a stopped machine is no error") {
        provider->create(m.config, m.layout, m.payload);
        CHECK(provider->state(m.config, m.layout) == MachineState::stopped);
        provider->stop(m.config, m.layout, 0s);
        CHECK(provider->state(m.config, m.layout) == MachineState::stopped);
    }

    SECTION("a VM killed from outside is stopped, and stops and starts again") {
        provider->create(m.config, m.layout, m.payload);
        auto ready = provider->start(m.config, m.layout, [](const std::string &) {});
        REQUIRE(ready);
        CHECK(provider->state(m.config, m.layout) == MachineState::running);
        kill(m.layout);
        CHECK(eventually_stopped(*provider, m));
        provider->stop(m.config, m.layout, 0s); // what a `stop` after the crash does
        ready.reset();
        ready = provider->start(m.config, m.layout, [](const std::string &) {});
        CHECK(provider->state(m.config, m.layout) == MachineState::running);
        provider->stop(m.config, m.layout, 0s); // no guest to power off: forced at once
        CHECK(eventually_stopped(*provider, m));
        provider->remove(m.config, m.layout);
    }

    SECTION("what it says of itself is usable data") {
        auto features = provider->features();
        CHECK_FALSE(features.image_formats.empty());
        CHECK_FALSE(features.provisioning.empty());
        CHECK_FALSE(features.ready_channel.empty());
        CHECK(provider->ssh_endpoint(m.config, m.layout).host.empty() == !tested.ssh);
        provider->check_host(); // this host runs every provider it builds
    }
}
