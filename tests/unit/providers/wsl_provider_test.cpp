// WslProvider's lifecycle on this (Linux) host, against the fake WSL of tests/helpers/fake_wsl.h
// (wsl.exe answered by a recording runner; local shell commands for the processes whose stdio is
// the provider's). Then the whole lifecycle through MachineManager, with an image that is a real
// root filesystem tarball.
#include "../../helpers/fake_wsl.h"
#include "../../helpers/temp_dir.h"
#include "../thrown.h"
#include "machine/errors.h"
#include "machine/machine_manager.h"
#include "platform/atomic_file.h"
#include "platform/unix_socket.h"
#include "providers/wsl/wsl_commands.h"
#include "providers/wsl/wsl_conf.h"
#include "providers/wsl/wsl_files.h"
#include "providers/wsl/wsl_ignition.h"
#include "providers/wsl/wsl_provider.h"

#include <catch2/catch.hpp>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace machine;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using test::FakeWsl;

struct Machine {
    test::TempDir dir;
    StoreDirs dirs{dir.path / "config", dir.path / "data", dir.path / "run"};
    Layout layout{dirs, "dev"};
    MachineConfig config;
    ProvisioningPayload payload{"ignition",
                                "{\"ignition\": {\"version\": \"3.4.0\"}, \"systemd\": {\"units\": "
                                "[{\"name\": \"machine-ready.service\"}]}}\n",
                                {},
                                {}};
    FakeWsl wsl;
    WslProvider provider{wsl.runner, wsl.spawn(), FakeWsl::windows()};

    Machine() {
        fs::create_directories(layout.data_dir());
        fs::create_directories(layout.runtime_dir());
        config.name = "dev";
        config.provider = "wsl";
        config.image.path = (dir.path / "rootfs.tar").string();
        config.image.format = "tar";
        config.ssh.username = "core";
        wsl.received = dir.path / "received.ign";
    }

    void write(int fd, const std::string &bytes) { platform::write_all(fd, bytes); }
};

// Reads what `fd` gives until `want` bytes came (or 5 s passed).
std::string read_bytes(int fd, std::size_t want) {
    std::string got;
    auto deadline = platform::Clock::now() + 5s;
    char buffer[256];
    while (got.size() < want && platform::wait_readable(fd, deadline)) {
        auto n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        got.append(buffer, std::size_t(n));
    }
    return got;
}

} // namespace

TEST_CASE("wsl: create imports, writes wsl.conf before systemd boots, provisions, terminates",
          "[wsl]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    auto ignition = wsl_ignition(m.payload.ignition);
    auto install = WslFiles(m.layout).install_dir.string();
    CHECK(m.wsl.runner.commands ==
          std::vector<Command>{
              wsl_list_all(), wsl_import("machine-dev", install, m.config.image.path),
              wsl_setup("machine-dev", render_wsl_conf("core")), wsl_terminate("machine-dev"),
              wsl_provision("machine-dev", ignition, false), wsl_terminate("machine-dev")});
    CHECK(m.config.provider_state ==
          std::map<std::string, std::string>{{"distribution", "machine-dev"}});
    CHECK(ignition.find("machine-ready.service") == std::string::npos);

    // The config is kept for every start, private: it holds the guest's SSH host key.
    auto kept = WslFiles(m.layout).ignition;
    CHECK(platform::read_file(kept) == ignition);
    struct stat info {};
    REQUIRE(::stat(kept.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(m.provider.files(m.layout).disk == WslFiles(m.layout).install_dir / "ext4.vhdx");
    CHECK(m.provider.state(m.config, m.layout) == MachineState::stopped);
    CHECK(m.wsl.registered == std::set<std::string>{"machine-dev"});
}

TEST_CASE("wsl: create again starts from nothing, and a failed create leaves no distribution",
          "[wsl]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    m.wsl.runner.commands.clear();
    m.provider.create(m.config, m.layout, m.payload); // after a partial run, or a whole one
    CHECK(m.wsl.wsl_calls().at(1) == std::vector<std::string>{"--unregister", "machine-dev"});
    CHECK(m.wsl.registered == std::set<std::string>{"machine-dev"});

    m.provider.remove(m.config, m.layout);
    m.wsl.fail_at = "/usr/local/bin/machine-agent"; // the agent cannot apply the config
    auto error =
        test::thrown<ProcessFailed>([&] { m.provider.create(m.config, m.layout, m.payload); });
    CHECK(std::string(error.what()).find("injected failure") != std::string::npos);
    CHECK(m.wsl.registered.empty()); // unregistered again: the lifecycle's undo cannot see it

    ProvisioningPayload cloud{"cloud-init", {}, "#cloud-config\n", "instance-id: x\n"};
    CHECK(test::thrown<InvalidInput>([&] {
              m.provider.create(m.config, m.layout, cloud);
          }).field() == "--provisioning");
}

TEST_CASE("wsl: start runs the agent with the kept config, which boots the distribution and "
          "says Ready on its stdout",
          "[wsl]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    auto ready = m.provider.start(m.config, m.layout, [](const std::string &) {});
    REQUIRE(ready);
    REQUIRE(m.wsl.spawned.size() == 1);
    CHECK(m.wsl.spawned[0] == wsl_provision("machine-dev", wsl_ignition(m.payload.ignition), true));
    CHECK(m.provider.state(m.config, m.layout) == MachineState::running);
    CHECK(ready->wait(platform::Clock::now() + 10s) == ReadySignal::Event::ready);
    ready.reset(); // the agent has ended; it is reaped
    CHECK(platform::read_file(m.wsl.received) == wsl_ignition(m.payload.ignition));

    m.provider.stop(m.config, m.layout, 10s);
    CHECK(m.wsl.wsl_calls().back() == std::vector<std::string>{"--terminate", "machine-dev"});
    CHECK(m.provider.state(m.config, m.layout) == MachineState::stopped);
    auto calls = m.wsl.runner.commands.size();
    m.provider.stop(m.config, m.layout, 10s); // stopping a stopped machine: only a look
    CHECK(m.wsl.runner.commands.size() == calls + 1);

    m.provider.remove(m.config, m.layout);
    CHECK(m.wsl.registered.empty());
    CHECK_FALSE(fs::exists(WslFiles(m.layout).install_dir));
    CHECK_FALSE(fs::exists(WslFiles(m.layout).ignition));
    m.provider.remove(m.config, m.layout); // what is gone is not an error
    CHECK(m.wsl.wsl_calls().back() == std::vector<std::string>{"--list", "--quiet"});
}

TEST_CASE("wsl: what the agent prints instead of Ready goes to the console log, and its end "
          "closes the channel",
          "[wsl]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    m.wsl.agent_script = "echo 'machine-agent: cannot apply' >&2; echo 'not a ready line'";
    auto ready = m.provider.start(m.config, m.layout, [](const std::string &) {});
    auto deadline = platform::Clock::now() + 10s;
    auto event = ReadySignal::Event::nothing;
    while (event == ReadySignal::Event::nothing && platform::Clock::now() < deadline)
        event = ready->wait(deadline);
    CHECK(event == ReadySignal::Event::closed);
    CHECK(ready->wait(deadline) == ReadySignal::Event::closed);
    CHECK(platform::read_file(m.layout.console_log()) ==
          "machine-agent: cannot apply\nnot a ready line\n");
}

TEST_CASE("wsl: a start whose wsl.exe ends before the distribution runs fails with its words",
          "[wsl]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    m.wsl.registered.clear(); // unregistered behind our back: wsl.exe cannot start it
    m.wsl.agent_script = "echo 'There is no distribution with the supplied name.' >&2; exit 1";
    auto error = test::thrown<ProcessFailed>(
        [&] { m.provider.start(m.config, m.layout, [](const std::string &) {}); });
    CHECK(error.exit_code() == 1);
    CHECK(std::string(error.what()).find("There is no distribution") != std::string::npos);
}

TEST_CASE("wsl: connect_agent is a running distribution's agent on a process's stdio, one link "
          "at a time",
          "[wsl]") {
    Machine m;
    m.provider.create(m.config, m.layout, m.payload);
    auto stopped = test::thrown<SystemError>([&] { m.provider.connect_agent(m.config, m.layout); });
    CHECK(stopped.error_number() == ECONNREFUSED);
    CHECK(m.wsl.spawned.empty()); // wsl.exe would have booted it

    m.wsl.running.insert("machine-dev");
    auto link = m.provider.connect_agent(m.config, m.layout);
    REQUIRE(link);
    CHECK(m.wsl.spawned.back() == wsl_mux_stdio("machine-dev"));
    m.write(link.get(), "machine-mux bytes"); // the stand-in echoes its stdin on its stdout
    CHECK(read_bytes(link.get(), 17) == "machine-mux bytes");

    // The session closes its stream; the next link ends (reaps) that process first.
    link = platform::Fd();
    auto again = m.provider.connect_agent(m.config, m.layout);
    m.write(again.get(), "again");
    CHECK(read_bytes(again.get(), 5) == "again");
    CHECK(m.wsl.spawned.size() == 2);
}

TEST_CASE("wsl: what it says of itself", "[wsl]") {
    Machine m;
    auto features = m.provider.features();
    CHECK(features.image_formats == std::vector<std::string>{"tar"});
    CHECK_FALSE(features.direct_kernel_boot);
    CHECK(features.shares.empty());
    CHECK(features.ready_channel == "stdio");
    CHECK_FALSE(features.grow_disk);
    CHECK(features.provisioning == std::vector<std::string>{"ignition"});
    CHECK_FALSE(features.set_resources);
    CHECK(m.provider.ssh_endpoint(m.config, m.layout).host.empty());
    m.provider.check_host(); // a Windows host with wsl.exe
    CHECK(m.provider.host_facts() ==
          std::map<std::string, std::string>{{"WSL", "C:\\Windows\\wsl.exe"}});

    WslProvider on_linux(m.wsl.runner, m.wsl.spawn(),
                         {platform::HostOs::linux, "/usr/bin/wsl.exe"});
    auto refused = test::thrown<HostNotReady>([&] { on_linux.check_host(); });
    CHECK(test::one_line(refused.what()));
    CHECK(std::string(refused.what()) ==
          "provider wsl runs on Windows only, and this host is Linux");
    WslProvider without(m.wsl.runner, m.wsl.spawn(), {platform::HostOs::windows, {}});
    auto missing = test::thrown<HostNotReady>([&] { without.check_host(); });
    CHECK(std::string(missing.what()) == "WSL is not installed here: no wsl.exe on PATH");
    CHECK(missing.hint().find("wsl --install") != std::string::npos);
    CHECK(WslProvider(m.wsl.runner).host_facts().count("WSL")); // this host, as it is
    CHECK(m.provider.port_publisher(m.config, m.layout)->add({"tcp", 8080}).empty());
}

namespace {

struct ManagedWorld {
    test::TempDir dir;
    Store store{{dir.path / "config", dir.path / "data", dir.path / "run"}};
    FakeWsl wsl;
    ProviderRegistry registry;
    MachineManager manager{store, registry, wsl.runner};
    std::vector<std::string> phases;

    ManagedWorld() {
        registry.add("wsl", [this](ProcessRunner &runner) -> std::unique_ptr<Provider> {
            return std::make_unique<WslProvider>(runner, wsl.spawn(), FakeWsl::windows());
        });
        wsl.received = dir.path / "received.ign";
        // The image guest-image/build writes for WSL, in miniature: a root filesystem tarball
        // named by its manifest.
        auto image = dir.path / "image";
        dir.write("tree/etc/os-release", "ID=debian\n");
        fs::create_directories(image);
        REQUIRE(std::system(("tar -cf " + (image / "rootfs.tar").string() + " -C " +
                             (dir.path / "tree").string() + " .")
                                .c_str()) == 0);
        dir.write("image/manifest.json", R"({"provisioning": "ignition",
            "formats": {"qemu": "disk.qcow2", "wsl": "rootfs.tar"}})");
    }
};

} // namespace

TEST_CASE("wsl: the lifecycle through the manager, from the default image's tarball, with no SSH "
          "to wait for",
          "[wsl][manager]") {
    ManagedWorld w;
    ::setenv("MACHINE_IMAGE_DIR", (w.dir.path / "image").c_str(), 1);
    InitOptions init;
    init.name = "dev";
    init.provider = "wsl";
    auto config = w.manager.init(init);
    ::unsetenv("MACHINE_IMAGE_DIR");
    CHECK(config.image.format == "tar");
    CHECK(fs::path(config.image.path).extension() == ".tar"); // the cached copy WSL imports
    CHECK(config.mounts.empty());                             // WSL shares the drives itself
    CHECK(w.wsl.registered == std::set<std::string>{"machine-dev"});

    StartOptions start;
    start.timeout = 30s;
    start.progress = [&](const std::string &phase) { w.phases.push_back(phase); };
    CHECK(w.manager.start("dev", start) == StartResult::started);
    CHECK(w.phases == std::vector<std::string>{"booting", "ready"});
    CHECK(w.manager.status("dev").state == MachineState::running);

    w.manager.stop("dev");
    CHECK(w.manager.status("dev").state == MachineState::stopped);

    // CPUs, memory and disk are WSL's: one line, exit 125 (InvalidInput), nothing changed.
    auto before = w.store.load("dev");
    SetOptions set;
    set.memory = "8G";
    set.rootful = true;
    auto refused = test::thrown<InvalidInput>([&] { w.manager.set("dev", set); });
    CHECK(refused.field() == "--memory");
    CHECK(test::one_line(refused.what()));
    CHECK(std::string(refused.what()) ==
          "--memory: provider wsl cannot change CPUs, memory or disk size per machine; it sets "
          "them for all at once");
    CHECK(w.store.load("dev") == before);
    SetOptions rootful;
    rootful.rootful = true;
    CHECK(w.manager.set("dev", rootful).rootful);

    w.manager.remove("dev");
    CHECK(w.wsl.registered.empty());
    CHECK_FALSE(w.store.exists("dev"));
}
