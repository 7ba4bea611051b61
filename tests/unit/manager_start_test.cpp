// MachineManager::start and stop through the fake provider: Ready and then SSH, a guest that never
// says Ready, one that fails to provision or dies, undo on a failure, and a dead forwarder
// brought back. Runs in a temporary store with a real TCP listener standing in for sshd.
#include "../helpers/fake_provider.h"
#include "../helpers/recording_runner.h"
#include "../helpers/temp_dir.h"
#include "machine/errors.h"
#include "machine/machine_manager.h"
#include "platform/posix_descriptors.h"
#include "thrown.h"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace machine;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A TCP listener on 127.0.0.1 (the kernel completes connections to it: SSH "answers").
struct FakeSshd {
    int fd = platform::posix::new_socket(AF_INET, SOCK_STREAM);
    int port = 0;
    FakeSshd() {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&address), length) == 0);
        REQUIRE(::listen(fd, 16) == 0);
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0);
        port = ntohs(address.sin_port);
    }
    ~FakeSshd() { ::close(fd); }
};

struct StartWorld {
    test::TempDir dir;
    Store store{{dir.path / "config", dir.path / "data", dir.path / "run"}};
    test::FakeProviderState fake;
    test::RecordingRunner runner;
    ProviderRegistry registry;
    MachineManager manager{store, registry, runner};
    FakeSshd sshd;
    std::vector<std::string> phases;

    StartWorld() {
        registry.add("fake", [this](ProcessRunner &) -> std::unique_ptr<Provider> {
            return std::make_unique<test::FakeProvider>(fake);
        });
        fake.ssh_port = sshd.port;
        std::string mbr(1024, '\0'); // a raw disk: an empty partition table
        mbr[510] = char(0x55);
        mbr[511] = char(0xaa);
        std::ofstream(dir.path / "image.raw", std::ios::binary) << mbr;
        InitOptions init;
        init.name = "m";
        init.provider = "fake";
        init.image = (dir.path / "image.raw").string();
        init.volumes = std::vector<std::string>{};
        manager.init(init);
        fake.calls.clear();
    }

    StartOptions options(std::chrono::seconds timeout = 30s) {
        StartOptions o;
        o.timeout = timeout;
        o.progress = [this](const std::string &phase) { phases.push_back(phase); };
        return o;
    }

    std::string state() { return to_string(manager.status("m").state); }
};

} // namespace

TEST_CASE("start waits for the guest's Ready, then its SSH, stop stops, twice too", "[manager]") {
    StartWorld w;
    CHECK(w.manager.start("m", w.options()) == StartResult::started);
    CHECK(w.state() == "running");
    CHECK(w.phases == std::vector<std::string>{"booting", "waiting for SSH", "ready"});
    CHECK(w.store.load("m").last_up > 0);
    CHECK(w.manager.start("m", w.options()) == StartResult::already_running);
    CHECK(w.fake.calls == std::vector<std::string>{"start"});

    w.manager.stop("m");
    CHECK(w.state() == "stopped");
    w.manager.stop("m"); // stopping a stopped machine is no error
    CHECK(w.state() == "stopped");
    CHECK(fs::is_empty(w.store.layout("m").runtime_dir())); // nothing of the boot is left
}

TEST_CASE("a guest that never says Ready times out, and the machine is stopped again",
          "[manager]") {
    StartWorld w;
    w.fake.guest = "silent";
    std::string error = test::thrown<Timeout>([&] { w.manager.start("m", w.options(1s)); }).what();
    CHECK(error.find("did not become ready within 1 s") != std::string::npos);
    CHECK(error.find(w.store.layout("m").console_log().string()) != std::string::npos);
    CHECK(w.fake.calls == std::vector<std::string>{"start", "stop"}); // the undo
    CHECK(w.state() == "stopped");
}

TEST_CASE("the agent's failure line ends start at once, with the agent's words", "[manager]") {
    StartWorld w;
    w.fake.guest = "fails";
    std::string error = test::thrown<Timeout>([&] { w.manager.start("m", w.options(60s)); }).what();
    CHECK(error.find("could not be provisioned: cannot provision: no user") != std::string::npos);
    CHECK(w.state() == "stopped");
}

TEST_CASE("a guest that dies while booting, or closes its channel, is reported", "[manager]") {
    StartWorld w;
    w.fake.guest = GENERATE(as<std::string>{}, "dies", "closed");
    std::string error = test::thrown<Timeout>([&] { w.manager.start("m", w.options(60s)); }).what();
    CHECK(error.find(w.fake.guest == "dies" ? "stopped while booting"
                                            : "closed its ready channel") != std::string::npos);
    CHECK(w.state() == "stopped");
}

TEST_CASE("a failing provider start leaves the machine stopped and its runtime folder empty",
          "[manager]") {
    StartWorld w;
    w.fake.fail_at = "start";
    CHECK_THROWS_AS(w.manager.start("m", w.options()), ProcessFailed);
    CHECK(w.state() == "stopped");
    CHECK(fs::is_empty(w.store.layout("m").runtime_dir()));
    w.fake.fail_at.clear();
    CHECK(w.manager.start("m", w.options()) == StartResult::started);
}

TEST_CASE("SSH that never answers after Ready fails start", "[manager]") {
    StartWorld w;
    w.fake.ssh_port = 1; // nothing listens there
    std::string error = test::thrown<Timeout>([&] { w.manager.start("m", w.options(2s)); }).what();
    CHECK(error.find("said Ready but SSH does not answer") != std::string::npos);
    CHECK(w.state() == "stopped");
}

TEST_CASE("start of a running machine brings back a forwarder that died", "[manager]") {
    StartWorld w;
    REQUIRE(w.manager.start("m", w.options()) == StartResult::started);
    auto layout = w.store.layout("m");
    // A stand-in forwarder: serves the API socket, and carries the arguments ours does.
    auto options = w.options();
    options.forwarder = {"python3",
                         {"-c",
                          "import socket, sys, time\n"
                          "s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[-1]); s.listen()\n"
                          "time.sleep(60)",
                          "__forwarder", "m", layout.api_socket().string()},
                         {}};
    std::vector<std::string> notices;
    options.notice = [&](const std::string &notice) { notices.push_back(notice); };
    CHECK(w.manager.start("m", options) == StartResult::already_running);
    CHECK(notices ==
          std::vector<std::string>{"the API forwarder was not running; starting it again"});
    CHECK(fs::exists(layout.api_socket()));
    notices.clear();
    CHECK(w.manager.start("m", options) == StartResult::already_running); // it lives: left alone
    CHECK(notices.empty());
    w.manager.stop("m"); // ends the forwarder too
    CHECK_FALSE(fs::exists(layout.api_socket()));
}

TEST_CASE("a machine whose SSH port is taken moves to a free one and names the holder",
          "[manager]") {
    StartWorld w;
    InitOptions other;
    other.name = "other";
    other.provider = "fake";
    other.image = (w.dir.path / "image.raw").string();
    other.volumes = std::vector<std::string>{};
    w.manager.init(other);
    for (const std::string name : {"m", "other"}) { // both given the port the "sshd" holds
        auto config = w.store.load(name);
        config.ssh.port = w.sshd.port;
        w.store.save(config);
    }
    std::vector<std::string> notices;
    auto options = w.options();
    options.notice = [&](const std::string &line) { notices.push_back(line); };
    CHECK(w.manager.start("m", options) == StartResult::started);
    auto moved = w.store.load("m").ssh.port;
    CHECK(moved != w.sshd.port);
    CHECK(notices == std::vector<std::string>{fmt::format(
                         "SSH port {} is taken by machine \"other\"; this machine now uses {}",
                         w.sshd.port, moved)});
    CHECK(w.store.load("other").ssh.port == w.sshd.port); // the other keeps its own
}
