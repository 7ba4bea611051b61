// The applehv (vfkit) and libkrun (krunkit) providers on this host, against the fake vfkit,
// krunkit and gvproxy of tests/helpers/fake_vfkit/ (real processes, real unix sockets): create,
// start with the first boot's Ignition served and Ready awaited, machine-mux, stop through the
// REST API, a crash, what a host without them is told; then init, start, stop, list and rm
// through the manager.
#include "../../helpers/fake_apple.h"
#include "../../helpers/recording_runner.h"
#include "../thrown.h"
#include "machine/errors.h"
#include "machine/machine_manager.h"
#include "platform/atomic_file.h"
#include "platform/host.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"
#include "providers/apple/apple_files.h"
#include "providers/apple/krunkit_provider.h"
#include "providers/apple/vfkit_provider.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>
#include <thread>

using namespace machine;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A raw disk as image_store recognizes one: an MBR's signature, and nothing else.
std::string raw_disk() {
    std::string disk(1 << 20, '\0');
    disk[510] = char(0x55);
    disk[511] = char(0xaa);
    return disk;
}

std::string text_of(const fs::path &file) {
    try {
        return platform::read_file(file);
    } catch (const Error &) {
        return {};
    }
}

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

template <typename Check> bool eventually(Check check) {
    for (int i = 0; i < 200; ++i) {
        if (check())
            return true;
        std::this_thread::sleep_for(25ms);
    }
    return false;
}

struct Machine {
    test::FakeApple apple;
    test::TempDir dir;
    StoreDirs dirs{dir.path / "config", dir.path / "data", dir.path / "run"};
    Layout layout{dirs, "dev"};
    AppleFiles files{layout};
    MachineConfig config;
    ProvisioningPayload payload{"ignition", "{\"ignition\": {\"version\": \"3.4.0\"}}\n", {}, {}};
    std::function<void(const std::string &)> notice = [](const std::string &) {};

    explicit Machine(const std::string &provider) {
        fs::create_directories(layout.data_dir());
        platform::make_private_dir(layout.runtime_dir());
        config.name = "dev";
        config.provider = provider;
        config.arch = "aarch64";
        config.resources = {2, 1024, 1};
        config.image.path = dir.write("cache/base.raw", raw_disk()).string();
        config.image.format = "raw";
        config.mounts = {{dir.write("share/file", "x").parent_path().string(), "/share", false}};
        config.ssh.port = platform::free_loopback_port();
    }

    std::string hypervisor_log() const { return text_of(files.hypervisor_log); }
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

TEST_CASE("applehv: create clones and grows the disk, the first boot gets its config and later "
          "ones not, stop asks vfkit and then forces it",
          "[apple]") {
    Machine m("applehv");
    VfkitProvider provider(m.apple.host);

    provider.create(m.config, m.layout, m.payload);
    CHECK(fs::file_size(m.files.disk) == 1ull << 30); // grown, sparse, to --disk-size
    std::ifstream disk(m.files.disk, std::ios::binary);
    std::string head(1 << 20, '\0');
    disk.read(head.data(), std::streamsize(head.size()));
    CHECK(head == raw_disk()); // the image's bytes, then zeros
    disk.close();
    CHECK(m.config.provider_state ==
          std::map<std::string, std::string>{{"mac", apple_mac_address(m.layout.data_dir())}});
    CHECK(text_of(m.files.ignition) == m.payload.ignition);
    struct stat st {};
    REQUIRE(::stat(m.files.ignition.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600); // it holds the guest's SSH host key
    CHECK(provider.state(m.config, m.layout) == MachineState::stopped);

    auto ready = provider.start(m.config, m.layout, m.notice);
    CHECK(provider.state(m.config, m.layout) == MachineState::running);
    CHECK(ready->wait(platform::Clock::now() + 10s) == ReadySignal::Event::ready);
    CHECK(
        contains(m.hypervisor_log(), "fake guest: config from vsock 1024: " + m.payload.ignition));
    CHECK(fs::exists(m.files.efi_vars)); // vfkit made the variable store (",create")
    CHECK(contains(text_of(m.layout.console_log()), "fake console: booting"));

    // machine-mux: vfkit's connect-mode socket (the fake echoes for the guest agent).
    auto agent = provider.connect_agent(m.config, m.layout);
    platform::write_all(agent.get(), "ping");
    CHECK(read_bytes(agent.get(), 4) == "ping");
    agent = platform::Fd();

    provider.stop(m.config, m.layout, 30s);
    CHECK(provider.state(m.config, m.layout) == MachineState::stopped);
    CHECK(contains(m.hypervisor_log(), "fake vfkit: Stop"));
    ready.reset();

    m.config.last_up = 1; // the guest has been up: Ignition does not ask again
    ready = provider.start(m.config, m.layout, m.notice);
    CHECK(ready->wait(platform::Clock::now() + 10s) == ReadySignal::Event::ready);
    CHECK_FALSE(contains(m.hypervisor_log(), "config from vsock"));
    provider.stop(m.config, m.layout, 0s); // no grace: HardStop at once
    CHECK(contains(m.hypervisor_log(), "fake vfkit: HardStop"));
    CHECK(provider.state(m.config, m.layout) == MachineState::stopped);

    provider.remove(m.config, m.layout);
    for (const auto &file : {m.files.disk, m.files.efi_vars, m.files.ignition})
        CHECK_FALSE(fs::exists(file));
    provider.remove(m.config, m.layout); // what is gone is no error
}

TEST_CASE("libkrun: gvproxy is started first and carries SSH, stop ends krunkit and gvproxy",
          "[apple]") {
    Machine m("libkrun");
    m.config.provider_state["nested"] = "true";
    KrunkitProvider provider(m.apple.host);
    provider.create(m.config, m.layout, m.payload);

    auto ready = provider.start(m.config, m.layout, m.notice);
    CHECK(ready->wait(platform::Clock::now() + 10s) == ReadySignal::Event::ready);
    CHECK(contains(m.hypervisor_log(), "fake guest: config from vsock 1024: "));
    auto gvproxy = platform::read_pid_file(m.files.gvproxy_pid);
    REQUIRE(gvproxy > 0);
    CHECK(platform::process_alive(gvproxy));
    CHECK(platform::process_has_argument(gvproxy, "-listen-vfkit", false));
    auto ssh = provider.ssh_endpoint(m.config, m.layout);
    CHECK((ssh.host == "127.0.0.1" && ssh.port == m.config.ssh.port));
    CHECK(platform::tcp_port_answers(ssh.host, ssh.port, 1s));
    auto krunkit = platform::read_pid_file(m.files.pid);
    CHECK(platform::process_has_argument(krunkit, "--nested", false));

    provider.stop(m.config, m.layout, 30s);
    CHECK(contains(m.hypervisor_log(), "fake krunkit: Stop"));
    CHECK(provider.state(m.config, m.layout) == MachineState::stopped); // its socket stays: refused
    CHECK(eventually([&] { return !platform::process_alive(gvproxy); }));
    provider.remove(m.config, m.layout);
}

TEST_CASE("apple: a VM killed from outside is stopped, a hypervisor that refuses says why",
          "[apple]") {
    Machine m("applehv");
    VfkitProvider provider(m.apple.host);
    provider.create(m.config, m.layout, m.payload);
    auto ready = provider.start(m.config, m.layout, m.notice);
    platform::kill_process(platform::read_pid_file(m.files.pid));
    CHECK(eventually([&] { return provider.state(m.config, m.layout) == MachineState::stopped; }));
    provider.stop(m.config, m.layout, 0s); // what `stop` after the crash does: no error
    ready.reset();

    // vfkit refuses a qcow2 disk; its words reach the user.
    platform::write_file_atomically(m.files.disk, "QFI\xfb and the rest");
    auto refused =
        test::thrown<ProcessFailed>([&] { provider.start(m.config, m.layout, m.notice); });
    CHECK(contains(refused.what(), "vfkit does not support qcow2 image format"));
}

TEST_CASE("apple: what they say of themselves, and what a host without them is told", "[apple]") {
    Machine m("applehv");
    VfkitProvider vfkit(m.apple.host);
    KrunkitProvider krunkit(m.apple.host);
    vfkit.check_host(); // the fake Mac has everything
    krunkit.check_host();
    auto features = vfkit.features();
    CHECK(features.image_formats == std::vector<std::string>{"raw"});
    CHECK_FALSE(features.direct_kernel_boot);
    CHECK(features.shares == std::vector<std::string>{"virtiofs"});
    CHECK(features.ready_channel == "vsock");
    CHECK(features.grow_disk);
    CHECK(features.provisioning == std::vector<std::string>{"ignition"});
    CHECK(features.init_flags == std::vector<std::string>{"rosetta"});
    CHECK(krunkit.features().init_flags == std::vector<std::string>{"nested"});
    CHECK(vfkit.host_facts() ==
          std::map<std::string, std::string>{{"vfkit", m.apple.host.vfkit.string()}});
    CHECK(contains(vfkit.port_publisher(m.config, m.layout)->add({"tcp", 8080}), "machine-mux"));

    auto intel = m.apple.host;
    intel.arch = "x86_64";
    CHECK(VfkitProvider(intel).features().init_flags.empty()); // Rosetta is Apple Silicon's
    auto on_intel = test::thrown<HostNotReady>([&] { KrunkitProvider(intel).check_host(); });
    CHECK(std::string(on_intel.what()) ==
          "krunkit runs on Apple Silicon only, and this Mac has an Intel CPU");

    auto linux_host = m.apple.host;
    linux_host.os = platform::HostOs::linux;
    std::vector<std::unique_ptr<Provider>> off_macos;
    off_macos.push_back(std::make_unique<VfkitProvider>(linux_host));
    off_macos.push_back(std::make_unique<KrunkitProvider>(linux_host));
    for (const auto &provider : off_macos) {
        auto refused = test::thrown<HostNotReady>([&] { provider->check_host(); });
        CHECK(test::one_line(refused.what()));
        CHECK(std::string(refused.what()) ==
              "provider " + provider->name() + " runs on macOS only, and this host is Linux");
    }
    auto bare = m.apple.host;
    bare.vfkit.clear();
    bare.gvproxy.clear();
    auto no_vfkit = test::thrown<HostNotReady>([&] { VfkitProvider(bare).check_host(); });
    CHECK(std::string(no_vfkit.what()) ==
          "vfkit is not installed here: no vfkit on PATH or in podman's folders");
    CHECK(contains(no_vfkit.hint(), "brew install vfkit"));
    auto no_gvproxy = test::thrown<HostNotReady>([&] { KrunkitProvider(bare).check_host(); });
    CHECK(std::string(no_gvproxy.what()) ==
          "gvproxy is not installed here: krunkit machines get their network from it");

    // SSH on vfkit's NAT network: where macOS leased the machine's MAC an address.
    vfkit.create(m.config, m.layout, m.payload);
    CHECK(vfkit.ssh_endpoint(m.config, m.layout).host.empty()); // no lease: machine-mux only
    platform::write_file_atomically(m.apple.host.dhcp_leases,
                                    "{\n\tname=dev\n\tip_address=192.168.64.9\n\thw_address=1," +
                                        m.config.provider_state.at("mac") + "\n\tlease=0x1\n}\n");
    auto ssh = vfkit.ssh_endpoint(m.config, m.layout);
    CHECK((ssh.host == "192.168.64.9" && ssh.port == 22));

    ProvisioningPayload cloud_init{"cloud-init", {}, "#cloud-config\n", "instance-id: dev\n"};
    auto refused =
        test::thrown<InvalidInput>([&] { vfkit.create(m.config, m.layout, cloud_init); });
    CHECK(refused.field() == "--provisioning");
}

namespace {

struct ManagedWorld {
    test::FakeApple apple;
    test::TempDir dir;
    Store store{{dir.path / "config", dir.path / "data", dir.path / "run"}};
    test::RecordingRunner runner; // podman's and docker's connection registration
    ProviderRegistry registry;
    MachineManager manager{store, registry, runner};
    std::vector<std::string> phases;

    ManagedWorld() {
        registry.add("applehv", [this](ProcessRunner &) -> std::unique_ptr<Provider> {
            return std::make_unique<VfkitProvider>(apple.host);
        });
        registry.add("libkrun", [this](ProcessRunner &) -> std::unique_ptr<Provider> {
            return std::make_unique<KrunkitProvider>(apple.host);
        });
        dir.write("image/disk.raw", raw_disk());
        dir.write("share/file", "x");
    }

    InitOptions init(const std::string &provider) {
        InitOptions options;
        options.name = "dev";
        options.provider = provider;
        options.image = (dir.path / "image" / "disk.raw").string();
        options.cpus = "2";
        options.memory = "1024";
        options.disk_size = "1";
        options.volumes = std::vector<std::string>{(dir.path / "share").string() + ":/share"};
        return options;
    }

    StartOptions start() {
        StartOptions options;
        options.timeout = 30s;
        options.progress = [this](const std::string &phase) { phases.push_back(phase); };
        return options;
    }

    std::string hypervisor_log() { return text_of(AppleFiles(store.layout("dev")).hypervisor_log); }
};

} // namespace

TEST_CASE("applehv through the manager: init --rosetta, start, list, stop, start, rm --force",
          "[apple][manager]") {
    ManagedWorld w;
    auto options = w.init("applehv");
    options.rosetta = true;
    auto config = w.manager.init(options);
    CHECK(config.image.format == "raw");
    CHECK(config.provider_state.at("rosetta") == "true");
    auto ignition = text_of(AppleFiles(w.store.layout("dev")).ignition);
    CHECK(contains(ignition, "Type=virtiofs")); // the shared folder, as vfkit shares it
    CHECK(contains(ignition, "rosetta-binfmt.service"));

    CHECK(w.manager.start("dev", w.start()) == StartResult::started);
    CHECK(w.phases == std::vector<std::string>{"booting", "ready"}); // no lease here: no SSH
    CHECK(contains(w.hypervisor_log(), "fake guest: config from vsock 1024: " + ignition));
    auto listed = w.manager.list();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].state == MachineState::running);

    w.manager.stop("dev");
    CHECK(w.manager.status("dev").state == MachineState::stopped);
    CHECK(contains(w.hypervisor_log(), "fake vfkit: Stop"));

    CHECK(w.manager.start("dev", w.start()) == StartResult::started);
    CHECK_FALSE(contains(w.hypervisor_log(), "config from vsock")); // provisioned already
    auto refused = test::thrown<WrongState>([&] { w.manager.remove("dev"); });
    CHECK(test::one_line(refused.what()));
    w.manager.remove("dev", true);
    CHECK_FALSE(w.store.exists("dev"));
    CHECK_FALSE(fs::exists(w.store.layout("dev").data_dir()));
}

TEST_CASE("libkrun through the manager: init --nested, start waits for SSH through gvproxy, "
          "stop, rm",
          "[apple][manager]") {
    ManagedWorld w;
    auto options = w.init("libkrun");
    options.nested = true;
    w.manager.init(options);
    CHECK(w.manager.start("dev", w.start()) == StartResult::started);
    CHECK(w.phases == std::vector<std::string>{"booting", "waiting for SSH", "ready"});
    CHECK(w.manager.status("dev").state == MachineState::running);
    w.manager.stop("dev");
    CHECK(w.manager.status("dev").state == MachineState::stopped);
    w.manager.remove("dev");
    CHECK(w.manager.list().empty());
}

TEST_CASE("init flags a provider does not offer are refused in one line, naming the flag",
          "[apple][manager]") {
    ManagedWorld w;
    auto options = w.init("libkrun");
    options.rosetta = true;
    auto refused = test::thrown<InvalidInput>([&] { w.manager.init(options); });
    CHECK(refused.field() == "--rosetta");
    CHECK(test::one_line(refused.what()));
    CHECK(std::string(refused.what()) ==
          "--rosetta: provider libkrun does not offer it on this host");
    options = w.init("applehv");
    options.nested = true;
    CHECK(test::thrown<InvalidInput>([&] { w.manager.init(options); }).field() == "--nested");
    // A folder vfkit could not be told of is refused at init, and nothing is left behind.
    options = w.init("applehv");
    auto odd = w.dir.write("sh,are/file", "x").parent_path();
    options.volumes = std::vector<std::string>{odd.string() + ":/share"};
    auto volume = test::thrown<InvalidInput>([&] { w.manager.init(options); });
    CHECK(volume.field() == "--volume");
    CHECK(test::one_line(volume.what()));
    CHECK(w.manager.list().empty());
    CHECK_FALSE(fs::exists(w.store.layout("dev").data_dir()));
}

TEST_CASE("init takes a --mount-type the provider offers, kept for start with the folders",
          "[apple][manager]") {
    ManagedWorld w;
    auto options = w.init("applehv");
    auto folder = w.dir.write("share/file", "x").parent_path();
    options.volumes = std::vector<std::string>{folder.string() + ":/share"};
    options.mount_type = "9p";
    auto refused = test::thrown<InvalidInput>([&] { w.manager.init(options); });
    CHECK(refused.field() == "--mount-type");
    CHECK(std::string(refused.what()) ==
          "--mount-type: \"9p\" is not one provider applehv offers here; use virtiofs");
    CHECK(w.manager.list().empty());
    options.mount_type = "virtiofs";
    CHECK(w.manager.init(options).provider_state.at("mount_type") == "virtiofs");
}
