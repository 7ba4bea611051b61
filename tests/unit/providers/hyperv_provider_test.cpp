// The hyperv provider's glue against a fake Hyper-V (tests/helpers/fake_hyperv.h): the exact
// commands of create -> start -> stop -> set -> start -> remove, the one elevation and its
// notice, failures taken back, and what a Linux host is told.
#include "../../helpers/fake_hyperv.h"
#include "../../helpers/temp_dir.h"
#include "../thrown.h"
#include "providers/hyperv/hvsock_registration.h"
#include "providers/hyperv/hvsock_service.h"
#include "providers/hyperv/hyperv_names.h"
#include "providers/hyperv/hyperv_provider.h"
#include "providers/hyperv/hyperv_scripts.h"
#include "providers/hyperv/kvp_items.h"
#include "providers/hyperv/kvp_script.h"
#include "providers/hyperv/powershell_script.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace machine;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Steps = std::vector<std::string>;

namespace {

std::string contents(const fs::path &file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Machine {
    test::TempDir dir;
    Layout layout{{dir.path / "config", dir.path / "data", dir.path / "run"}, "dev"};
    HyperVNames names{layout};
    MachineConfig config;
    std::string ignition = "{\n  \"ignition\": {\"version\": \"3.4.0\"},\n  \"x\": \"" +
                           std::string(1500, 'y') + "\"\n}\n";
    ProvisioningPayload payload{"ignition", ignition, {}, {}};
    test::FakeHyperV hyperv;
    HyperVProvider provider{hyperv, hyperv, platform::HostOs::windows};
    std::vector<std::string> notices;
    std::function<void(const std::string &)> notice = [this](const std::string &line) {
        notices.push_back(line);
    };

    Machine() {
        fs::create_directories(layout.data_dir());
        config.name = "dev";
        config.provider = "hyperv";
        config.resources = {4, 4096, 100};
        config.image.path = dir.write("cache/base.vhdx", "the guest image").string();
        config.image.format = "vhdx";
    }

    Command script(std::size_t index) const {
        REQUIRE(index < hyperv.commands.size());
        return hyperv.commands[index];
    }
};

} // namespace

TEST_CASE("hyperv lifecycle: create, start, stop, set, start, remove run exactly these scripts",
          "[hyperv]") {
    Machine m;

    m.provider.create(m.config, m.layout, m.payload);
    REQUIRE(m.hyperv.vms.size() == 1);
    auto id = m.hyperv.vms.begin()->first;
    auto items = ignition_kvp_items(m.ignition);
    REQUIRE(items.size() == 2);
    CHECK(m.config.provider_state ==
          std::map<std::string, std::string>{{"vm_id", id}, {"kvp_items", "2"}});
    CHECK(contents(m.names.disk) == "the guest image"); // a copy of the cached image
    CHECK(m.script(0) ==
          powershell_command(create_vm_script(
              {"machine-dev", m.names.vm_notes, m.names.disk.string(), 4, 4096, 100})));
    CHECK(m.script(1) == powershell_command(add_kvp_items_script(id, items)));

    auto ready = m.provider.start(m.config, m.layout, m.notice);
    CHECK(m.notices == Steps{hvsock_elevation_notice()}); // said before Windows asks
    CHECK(m.script(2) ==
          powershell_command(hvsock_services_check_script(machine_hvsock_services())));
    CHECK(m.script(3) ==
          powershell_command(register_hvsock_services_script(machine_hvsock_services())));
    CHECK(m.script(4) ==
          powershell_command(start_vm_script(id, {4, 4096, m.layout.console_log().string()})));
    CHECK(m.hyperv.listened == Steps{id + " 00000401-FACB-11E6-BD58-64006A7986D3"});
    CHECK(ready->wait(platform::Clock::now() + 1s) == ReadySignal::Event::ready);
    CHECK(m.provider.state(m.config, m.layout) == MachineState::running);
    CHECK(m.script(5) == powershell_command(vm_state_script(id)));

    m.provider.stop(m.config, m.layout, 30s);
    CHECK(m.script(6) == powershell_command(stop_vm_script(id, 30s)));
    CHECK(m.provider.state(m.config, m.layout) == MachineState::stopped);

    // `set`: the disk grows now; CPUs and memory are in the config, and the next start applies
    // them.
    m.provider.grow_disk(m.config, m.layout, 200);
    CHECK(m.script(8) == powershell_command(resize_disk_script(m.names.disk.string(), 200)));
    m.config.resources = {2, 8192, 200};
    ready = m.provider.start(m.config, m.layout, m.notice);
    CHECK(m.notices.size() == 1); // registered once: no second elevation
    CHECK(m.script(10) ==
          powershell_command(start_vm_script(id, {2, 8192, m.layout.console_log().string()})));

    m.provider.remove(m.config, m.layout);
    CHECK(m.script(11) ==
          powershell_command(remove_vm_script(id, "machine-dev", m.names.vm_notes, 2)));
    CHECK_FALSE(fs::exists(m.names.disk));
    CHECK(m.hyperv.vms.empty());

    CHECK(m.hyperv.steps == Steps{"create VM", "add KVP items", "check hvsock services",
                                  "register hvsock services as administrator", "start VM",
                                  "VM state", "stop VM", "VM state", "resize disk",
                                  "check hvsock services", "start VM", "remove VM"});
    for (const auto &command : m.hyperv.commands) {
        CHECK(command.args == std::vector<std::string>{"-NoProfile", "-NonInteractive",
                                                       "-ExecutionPolicy", "Bypass", "-Command",
                                                       "-"});
        CHECK(command.input.ends_with("}\n\n"));
    }
}

TEST_CASE("hyperv: create again after a partial run replaces the VM, remove twice is no error",
          "[hyperv]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    auto first = m.config.provider_state.at("vm_id");
    m.provider.create(m.config, m.layout, m.payload);
    REQUIRE(m.hyperv.vms.size() == 1);
    CHECK(m.config.provider_state.at("vm_id") != first);
    m.provider.remove(m.config, m.layout);
    m.provider.remove(m.config, m.layout);
    CHECK(m.hyperv.vms.empty());
}

TEST_CASE("hyperv: a create that fails takes back the VM and the disk it made", "[hyperv]") {
    Machine m;
    m.hyperv.fail_step = "add KVP items";
    auto error =
        test::thrown<ProcessFailed>([&] { m.provider.create(m.config, m.layout, m.payload); });
    CHECK(std::string(error.what()) ==
          "Hyper-V step \"add KVP items\" (powershell.exe) failed with exit code 1: the fake "
          "Hyper-V fails \"add KVP items\"");
    CHECK(m.hyperv.steps == Steps{"create VM", "add KVP items", "remove VM"});
    CHECK(m.hyperv.vms.empty());
    CHECK_FALSE(fs::exists(m.names.disk));
}

TEST_CASE("hyperv: a machine with no Ignition gets no KVP items", "[hyperv]") {
    Machine m;
    m.provider.create(m.config, m.layout, {"none", {}, {}, {}});
    CHECK(m.hyperv.steps == Steps{"create VM"});
    CHECK_FALSE(m.config.provider_state.count("kvp_items"));
    CHECK_THROWS_AS(m.provider.create(m.config, m.layout, {"cloud-init", {}, "#cloud-config", ""}),
                    InvalidInput);
}

TEST_CASE("hyperv: declining Windows' prompt is a clear error, after the notice", "[hyperv]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    m.hyperv.fail_step = "register hvsock services as administrator";
    auto error =
        test::thrown<HostNotReady>([&] { m.provider.start(m.config, m.layout, m.notice); });
    CHECK(std::string(error.what()).starts_with("the hvsock services are not registered: "));
    CHECK(m.notices == Steps{hvsock_elevation_notice()});
    CHECK(m.hyperv.vms.begin()->second.state == "Off"); // the VM was not started
}

TEST_CASE("hyperv: stopping or asking about a machine with no VM runs nothing", "[hyperv]") {
    Machine m;
    CHECK(m.provider.state(m.config, m.layout) == MachineState::stopped);
    m.provider.stop(m.config, m.layout, 10s);
    CHECK(m.hyperv.commands.empty());
    CHECK_THROWS_AS(m.provider.start(m.config, m.layout, m.notice), NotFound);
}

TEST_CASE("hyperv: machine-mux is the guest hvsock service 1026, and there is no SSH endpoint",
          "[hyperv]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    auto id = m.config.provider_state.at("vm_id");
    CHECK_THROWS_AS(m.provider.connect_agent(m.config, m.layout), SystemError);
    CHECK(m.hyperv.connected == Steps{id + " 00000402-FACB-11E6-BD58-64006A7986D3"});
    auto ssh = m.provider.ssh_endpoint(m.config, m.layout);
    CHECK(ssh.host.empty());
    CHECK(ssh.port == 0);
    CHECK_FALSE(m.provider.port_publisher(m.config, m.layout)->add({"tcp", 8080}).empty());
}

TEST_CASE("hyperv: what it says of itself", "[hyperv]") {
    Machine m;
    auto features = m.provider.features();
    CHECK(features.image_formats == Steps{"vhdx"});
    CHECK_FALSE(features.direct_kernel_boot);
    CHECK(features.shares.empty());
    CHECK(features.ready_channel == "hvsock");
    CHECK(features.grow_disk);
    CHECK(features.provisioning == Steps{"ignition"});
    CHECK(m.provider.name() == "hyperv");
    CHECK(m.provider.files(m.layout).disk == m.names.disk);
}

TEST_CASE("hyperv check_host: off Windows, one line says Hyper-V needs Windows", "[hyperv]") {
    test::FakeHyperV hyperv;
    HyperVProvider provider(hyperv, hyperv, platform::HostOs::linux);
    auto error = test::thrown<HostNotReady>([&] { provider.check_host(); });
    CHECK(
        std::string(error.what()).starts_with("Hyper-V needs a Windows host, and this one runs "));
    CHECK(test::one_line(error.what()));
    CHECK(hyperv.commands.empty());
}

TEST_CASE("hyperv check_host on Windows: the module, then the user's rights", "[hyperv]") {
    test::FakeHyperV hyperv;
    HyperVProvider provider(hyperv, hyperv, platform::HostOs::windows);
    provider.check_host();
    CHECK(hyperv.commands == std::vector<Command>{powershell_command(check_host_script())});

    hyperv.fail_step = "check host";
    hyperv.exit_code = 3;
    auto missing = test::thrown<HostNotReady>([&] { provider.check_host(); });
    CHECK(std::string(missing.what()) ==
          "Hyper-V is not enabled here (no Hyper-V PowerShell module)");
    CHECK(missing.hint().find("Enable-WindowsOptionalFeature") != std::string::npos);

    hyperv.exit_code = 1;
    auto denied = test::thrown<HostNotReady>([&] { provider.check_host(); });
    CHECK(std::string(denied.what()) ==
          "Hyper-V does not let this user manage VMs: the fake Hyper-V fails \"check host\"");
    CHECK(denied.hint().find("S-1-5-32-578") != std::string::npos);
}

TEST_CASE("hyperv: a VM id edited into something else never reaches a script", "[hyperv]") {
    Machine m;
    m.config.provider_state["vm_id"] = "x'; Remove-VM *; '";
    auto error = test::thrown<CorruptConfig>([&] { m.provider.state(m.config, m.layout); });
    CHECK(error.field() == "provider.state.vm_id");
    CHECK_THROWS_AS(m.provider.stop(m.config, m.layout, 0s), CorruptConfig);
    CHECK_THROWS_AS(m.provider.remove(m.config, m.layout), CorruptConfig);
    CHECK(m.hyperv.commands.empty());
}
