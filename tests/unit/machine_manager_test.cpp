// The lifecycle in MachineManager against a fake provider: undo on failure, state checks, rm of
// leftovers. Runs in a temporary store.
#include "../helpers/fake_provider.h"
#include "../helpers/ignition_source.h"
#include "../helpers/recording_runner.h"
#include "machine/errors.h"
#include "machine/image_prune.h"
#include "machine/machine_manager.h"
#include "platform/host.h"
#include "providers/qemu/qemu_files.h"
#include "providers/qemu/qemu_provider.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <unistd.h> // mkdtemp, on macOS

using namespace machine;
namespace fs = std::filesystem;

namespace {

struct Sandbox {
    fs::path root;
    Sandbox() {
        std::string pattern = (fs::temp_directory_path() / "manager-test-XXXXXX").string();
        root = ::mkdtemp(pattern.data());
        std::ofstream image(root / "image.raw", std::ios::binary);
        std::string mbr(1024, '\0');
        mbr[510] = char(0x55);
        mbr[511] = char(0xaa);
        image << mbr;
    }
    ~Sandbox() { fs::remove_all(root); }
    StoreDirs dirs() const { return {root / "config", root / "data", root / "run"}; }
    std::string image() const { return (root / "image.raw").string(); }
};

struct World {
    Sandbox sandbox;
    Store store{sandbox.dirs()};
    test::FakeProviderState fake;
    test::RecordingRunner runner;
    ProviderRegistry registry;
    MachineManager manager{store, registry, runner};

    World() {
        registry.add("fake", [this](ProcessRunner &) -> std::unique_ptr<Provider> {
            return std::make_unique<test::FakeProvider>(fake);
        });
        registry.add("qemu", [](ProcessRunner &r) -> std::unique_ptr<Provider> {
            return std::make_unique<QemuProvider>(r);
        });
    }

    InitOptions options(const std::string &name) const {
        InitOptions o;
        o.name = name;
        o.provider = "fake";
        o.image = sandbox.image();
        o.volumes = std::vector<std::string>{};
        return o;
    }
};

} // namespace

TEST_CASE("init writes the config last and undoes everything on failure", "[manager]") {
    World w;
    w.fake.fail_at = "create";
    CHECK_THROWS_AS(w.manager.init(w.options("m")), ProcessFailed);
    CHECK_FALSE(w.store.exists("m"));
    CHECK_FALSE(fs::exists(w.store.layout("m").data_dir()));
    CHECK(w.manager.list().empty());

    w.fake.fail_at.clear();
    auto config = w.manager.init(w.options("m"));
    CHECK(config.provider == "fake");
    CHECK(config.image.format == "raw");
    CHECK(config.ssh.port > 0);
    CHECK(w.store.load("m") == config);
    CHECK(w.fake.disks == std::set<std::string>{"m"});
    // The lifecycle rendered the payload; the provider got it, and kept its own state.
    CHECK(w.fake.delivered.kind == "ignition");
    CHECK(w.fake.delivered.ignition.find("\"ignition\"") != std::string::npos);
    CHECK(config.provider_state == std::map<std::string, std::string>{{"disk", "fake.disk"}});
}

TEST_CASE("init asks the provider's features before anything is made", "[manager]") {
    World w;
    auto image_format = w.options("f");
    w.fake.features.image_formats = {"vhdx"};
    CHECK_THROWS_AS(w.manager.init(image_format), InvalidInput);
    w.fake.features.image_formats = {"raw"};
    auto cloud = w.options("f");
    cloud.provisioning = "cloud-init"; // the fake delivers Ignition only
    CHECK_THROWS_AS(w.manager.init(cloud), InvalidInput);
    w.fake.features.shares.clear();
    auto volume = w.options("f");
    volume.volumes = std::vector<std::string>{w.sandbox.root.string()};
    CHECK_THROWS_AS(w.manager.init(volume), InvalidInput);
    CHECK(w.fake.calls.empty());
    CHECK(w.manager.list().empty());
    auto home = w.options("f");
    home.volumes.reset(); // the default (the home folder) is left out where nothing can share it
    CHECK(w.manager.init(home).mounts.empty());
}

TEST_CASE("the qemu provider creates an overlay with qemu-img", "[manager]") {
    World w;
    auto options = w.options("q");
    options.provider = "qemu";
    options.disk_size = "7";
    // The recording runner creates nothing, so the provider's rename of the partial disk fails
    // unless the fake qemu-img writes the file it was asked for.
    w.runner.respond = [](const Command &c) {
        if (c.program == "qemu-img")
            std::ofstream(c.args.at(8)) << "overlay";
        return ProcessResult{};
    };
    w.manager.init(options);
    REQUIRE(w.runner.commands.size() == 5); // qemu-img, then the podman and docker registrations
    QemuFiles files(w.store.layout("q"));
    // The overlay is backed by the image's copy in the cache, not by the user's file.
    auto base = w.store.load("q").image.path;
    CHECK(base.rfind((w.sandbox.root / "data" / "images" / "cache").string(), 0) == 0);
    CHECK(w.runner.commands[0] == Command{"qemu-img",
                                          {"create", "-q", "-f", "qcow2", "-F", "raw", "-b", base,
                                           files.disk.string() + ".partial", "7G"},
                                          {}});
    CHECK(fs::exists(files.disk));
    CHECK(fs::exists(files.ignition)); // the payload, delivered for fw_cfg
}

TEST_CASE("set and rm refuse a running machine", "[manager]") {
    World w;
    w.manager.init(w.options("busy"));
    w.fake.running.insert("busy");
    SetOptions set;
    set.cpus = "1";
    CHECK_THROWS_AS(w.manager.set("busy", set), WrongState);
    CHECK_THROWS_AS(w.manager.remove("busy"), WrongState);
    CHECK(w.store.exists("busy"));
    w.manager.remove("busy", true); // --force stops it first
    CHECK(w.fake.running.empty());
    CHECK_FALSE(w.store.exists("busy"));
    CHECK(w.fake.disks.empty());
}

TEST_CASE("set grows the disk through the provider and never shrinks it", "[manager]") {
    World w;
    auto options = w.options("m");
    options.disk_size = "10";
    w.manager.init(options);
    SetOptions shrink;
    shrink.disk_size = "5";
    CHECK_THROWS_AS(w.manager.set("m", shrink), InvalidInput);
    SetOptions grow;
    grow.disk_size = "20";
    grow.memory = "4G";
    w.fake.fail_at = "grow_disk";
    CHECK_THROWS_AS(w.manager.set("m", grow), ProcessFailed);
    CHECK(w.store.load("m").resources.disk_gib == 10); // unchanged when the resize failed
    w.fake.fail_at.clear();
    auto updated = w.manager.set("m", grow);
    CHECK(updated.resources.disk_gib == 20);
    CHECK(updated.resources.memory_mib == 4096);
    CHECK(w.store.load("m") == updated);

    w.fake.features.grow_disk = false; // a provider that cannot: one line, nothing changed
    grow.disk_size = "30";
    CHECK_THROWS_AS(w.manager.set("m", grow), InvalidInput);
    CHECK(w.store.load("m") == updated);
}

TEST_CASE("init takes the host's proxy and CA file, and the guest is told the proxy at the host's "
          "address",
          "[manager][proxy]") {
    World w;
    w.fake.features.host_address = "10.0.2.2";
    auto cert = w.sandbox.root / "corp.pem";
    std::ofstream(cert) << "-----BEGIN CERTIFICATE-----\nQUFB\n-----END CERTIFICATE-----\n";
    std::map<std::string, std::string> env = {{"HTTPS_PROXY", "http://127.0.0.1:3128"},
                                              {"SSL_CERT_FILE", cert.string()}};
    auto options = w.options("m");
    options.environment = [&env](const std::string &name) -> std::optional<std::string> {
        return env.count(name) ? std::optional<std::string>(env[name]) : std::nullopt;
    };
    auto config = w.manager.init(options);
    CHECK(config.proxy == ProxySettings{"", "http://127.0.0.1:3128", ""});
    CHECK(config.ca_certs == "-----BEGIN CERTIFICATE-----\nQUFB\n-----END CERTIFICATE-----\n");
    auto profile =
        test::ignition_file(w.fake.delivered.ignition, "/etc/profile.d/machine-proxy.sh");
    CHECK(profile.find("HTTPS_PROXY='http://10.0.2.2:3128'") != std::string::npos);
    CHECK(profile.find("127.0.0.1") == std::string::npos);

    // What cannot go into the guest stops init before anything is made.
    env["HTTP_PROXY"] = "http://proxy:3128/$(reboot)";
    auto refused = options;
    refused.name = "bad";
    CHECK_THROWS_AS(w.manager.init(refused), InvalidInput);
    CHECK_FALSE(w.store.exists("bad"));
    refused.proxy = ""; // --proxy "": none, whatever the environment says
    refused.ca_certs = "";
    auto plain = w.manager.init(refused);
    CHECK(plain.proxy.empty());
    CHECK(plain.ca_certs.empty());
}

TEST_CASE("set --proxy and --ca-certs give the guest a new config where the provider can",
          "[manager][proxy]") {
    World w;
    w.manager.init(w.options("m"));
    auto before = w.store.load("m");
    auto first = w.fake.delivered.ignition;
    SetOptions proxy;
    proxy.proxy = "proxy.corp:3128";
    // A provider that hands the config over at the first boot only: one line, nothing changed.
    CHECK_THROWS_AS(w.manager.set("m", proxy), InvalidInput);
    CHECK(w.store.load("m") == before);

    w.fake.features.update_payload = true;
    auto updated = w.manager.set("m", proxy);
    CHECK(updated.proxy.http == "http://proxy.corp:3128");
    CHECK(updated.proxy.https == "http://proxy.corp:3128");
    CHECK(w.store.load("m") == updated);
    auto second = w.fake.delivered.ignition;
    CHECK(test::ignition_file(second, "/etc/profile.d/machine-proxy.sh")
              .find("HTTP_PROXY='http://proxy.corp:3128'") != std::string::npos);
    // The same keys as init's: only what changed is new.
    auto host_key = "/etc/ssh/ssh_host_ed25519_key";
    CHECK_FALSE(test::ignition_file(second, host_key).empty());
    CHECK(test::ignition_file(second, host_key) == test::ignition_file(first, host_key));

    SetOptions none;
    none.proxy = "";
    CHECK(w.manager.set("m", none).proxy.empty());
    SetOptions bad;
    bad.ca_certs = (w.sandbox.root / "missing.pem").string();
    CHECK_THROWS_AS(w.manager.set("m", bad), InvalidInput);
    CHECK(w.store.load("m").proxy.empty());
}

TEST_CASE("rm clears what a killed init left, and a machine of an unknown provider", "[manager]") {
    World w;
    fs::create_directories(w.store.layout("orphan").data_dir());
    auto listed = w.manager.list();
    REQUIRE(listed.size() == 1);
    CHECK_FALSE(listed[0].config);
    CHECK(listed[0].problem.find("init did not finish") != std::string::npos);
    w.manager.remove("orphan");
    CHECK(w.manager.list().empty());

    auto config = w.manager.init(w.options("alien"));
    config.provider = "virtualbox";
    w.store.save(config);
    listed = w.manager.list();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].problem.find("virtualbox") != std::string::npos);
    w.manager.remove("alien");
    CHECK(w.manager.list().empty());
    CHECK_THROWS_AS(w.manager.remove("alien"), NotFound);
}

TEST_CASE("rm removes the cached images no machine uses any more, never while an init holds the "
          "cache or a machine cannot be read",
          "[manager]") {
    World w;
    auto other_image = w.sandbox.root / "other.raw";
    fs::copy_file(w.sandbox.image(), other_image);
    std::ofstream(other_image, std::ios::app) << "other";
    auto cache = w.sandbox.dirs().data / "images" / "cache";
    auto from_other = [&](const std::string &name) {
        auto options = w.options(name);
        options.image = other_image.string();
        return w.manager.init(options);
    };
    auto shared_base = fs::path(w.manager.init(w.options("a")).image.path);
    w.manager.init(w.options("b"));
    auto other_base = fs::path(from_other("c").image.path);
    REQUIRE(shared_base.parent_path() == cache);
    REQUIRE(other_base != shared_base);

    // What rm's confirmation lists: the base only the machine uses.
    CHECK(w.manager.images_freed_by_removing("a").empty());
    CHECK(w.manager.images_freed_by_removing("c") == std::vector<fs::path>{other_base});

    w.manager.remove("a");
    CHECK(fs::exists(shared_base)); // b still stands on it
    w.manager.remove("c");
    CHECK_FALSE(fs::exists(other_base));
    CHECK(fs::exists(cache / "index.json"));

    // An init holding the cache (between resolving its image and saving its config): nothing goes.
    {
        auto held = hold_image_cache(cache);
        w.manager.remove("b");
        CHECK(fs::exists(shared_base));
    }
    // A machine whose config cannot be read may stand on any base: nothing goes.
    from_other("d");
    w.manager.init(w.options("e"));
    fs::create_directories(w.store.layout("orphan").data_dir()); // what a killed init leaves
    w.manager.remove("d");
    CHECK(fs::exists(other_base));
    w.manager.remove("orphan");
    CHECK_FALSE(fs::exists(other_base)); // and once it is gone, the next rm prunes
    CHECK(fs::exists(shared_base));
    w.manager.remove("e");
    CHECK_FALSE(fs::exists(shared_base));
    CHECK(w.manager.warnings().empty());

    // The cache fills again from the same image.
    CHECK(fs::exists(w.manager.init(w.options("f")).image.path));
}

TEST_CASE("rm has the provider prune its own copies of images after the machine is gone, and a "
          "failed prune is a warning",
          "[manager]") {
    World w;
    w.manager.init(w.options("a"));
    w.manager.init(w.options("b"));
    w.manager.remove("a");
    CHECK(w.fake.calls == std::vector<std::string>{"create", "create", "remove", "prune_images"});

    w.fake.fail_at = "prune_images";
    w.manager.remove("b");
    CHECK_FALSE(w.store.exists("b"));
    REQUIRE(w.manager.warnings().size() == 1);
    CHECK(w.manager.warnings()[0].find("injected failure") != std::string::npos);

    // While an init holds the image cache, no prune: the next rm's.
    w.manager.init(w.options("c"));
    w.fake.fail_at.clear();
    w.fake.calls.clear();
    {
        auto held = hold_image_cache(w.sandbox.dirs().data / "images" / "cache");
        w.manager.remove("c");
    }
    CHECK(w.fake.calls == std::vector<std::string>{"remove"});
}

TEST_CASE("the machine's arch is its image's, another arch only where the provider emulates it",
          "[manager]") {
    World w;
    auto host = platform::host_arch();
    auto other = host == "x86_64" ? std::string("aarch64") : std::string("x86_64");
    auto debian_name = other == "aarch64" ? "arm64" : "amd64";
    std::ofstream(w.sandbox.root / "manifest.json")
        << R"({"arch": ")" << debian_name << R"(", "provisioning": "ignition"})";

    auto refused = w.options("foreign");
    try {
        w.manager.init(refused);
        FAIL("an image of another arch was taken by a provider that cannot run it");
    } catch (const InvalidInput &error) {
        CHECK_THAT(error.what(), Catch::StartsWith("--image: an " + other + " image") &&
                                     Catch::Contains("provider fake cannot run"));
    }
    CHECK(w.fake.calls.empty());
    CHECK_FALSE(w.store.exists("foreign"));

    w.fake.features.other_arch = true; // as QEMU, by TCG
    CHECK(w.manager.init(w.options("foreign")).arch == other);

    std::ofstream(w.sandbox.root / "manifest.json") << R"({"arch": "riscv64"})";
    CHECK_THROWS_WITH(w.manager.init(w.options("odd")),
                      Catch::Contains("\"arch\" in") && Catch::Contains("must be amd64 or arm64"));
    fs::remove(w.sandbox.root / "manifest.json");
    CHECK(w.manager.init(w.options("plain")).arch == host); // no manifest: the host's
}
