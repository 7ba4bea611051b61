// The idle pause's decisions against a recording VM, and the holds of sessions that keep a
// machine awake.
#include "../helpers/temp_dir.h"
#include "machine/awake_hold.h"
#include "machine/idle_pause.h"
#include "platform/unix_socket.h"

#include <catch2/catch.hpp>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace machine;
using namespace std::chrono_literals;

namespace {

struct RecordingVm : VmEvents {
    std::vector<std::string> calls;
    int fd() const override { return -1; }
    bool resumed() override { return false; }
    void pause() override { calls.push_back("stop"); }
    void run_on() override { calls.push_back("cont"); }
};

// A machine "dev" that pauses after a minute, in a store of its own; no runtime folder yet.
struct PausingMachine {
    test::TempDir dir;
    Layout layout{{dir.path / "config", dir.path / "data", dir.path / "run"}, "dev"};
    MachineConfig config = [] {
        MachineConfig config;
        config.name = "dev";
        config.idle_pause_seconds = 60;
        return config;
    }();
};

} // namespace

TEST_CASE("the VM is paused only when no client and no session has it for the idle time",
          "[idle]") {
    RecordingVm vm;
    bool held = false;
    std::vector<std::string> logged;
    IdlePause idle(
        {1s, [&] { return held; }, [&](const std::string &line) { logged.push_back(line); }}, vm);
    idle.look(0);
    CHECK(vm.calls.empty()); // not idle for long enough yet
    std::this_thread::sleep_for(1100ms);
    idle.look(1); // a client's stream: busy
    held = true;
    std::this_thread::sleep_for(1100ms);
    idle.look(0); // a `machine ssh` holds it
    CHECK(vm.calls.empty());
    held = false;
    idle.look(0);
    CHECK(vm.calls.empty()); // the idle time starts again when the hold ends
    std::this_thread::sleep_for(1100ms);
    idle.look(0);
    CHECK(vm.calls == std::vector<std::string>{"stop"});
    CHECK(idle.paused());
    idle.look(0);
    CHECK(vm.calls.size() == 1); // paused once

    CHECK(idle.wake());
    CHECK(vm.calls == std::vector<std::string>{"stop", "cont"});
    CHECK_FALSE(idle.paused());
    CHECK_FALSE(idle.wake()); // running: nothing to do
    CHECK(vm.calls.size() == 2);
    idle.look(0);
    CHECK(vm.calls.size() == 2); // woken just now: idle time anew
    REQUIRE(logged.size() == 2);
    CHECK(logged[0] == "forwarder: no client for 1s; the VM is paused");
    CHECK_THAT(logged[1], Catch::StartsWith("forwarder: a client came; the VM runs again after"));
}

TEST_CASE("a session's hold keeps the machine awake while it lasts, a dead one does not",
          "[idle]") {
    PausingMachine dev; // its API socket is missing: nothing to wake
    auto &[dir, layout, config] = dev;
    CHECK_FALSE(held_awake(layout)); // no runtime folder: not running
    std::filesystem::create_directories(layout.runtime_dir());
    std::ofstream(layout.runtime_dir() / "ready").put('\n'); // not a hold
    {
        config.idle_pause_seconds = 0;
        AwakeHold never(config, layout); // a machine that never pauses needs no hold
        CHECK_FALSE(held_awake(layout));
        config.idle_pause_seconds = 60;
    }
    {
        AwakeHold hold(config, layout);
        CHECK(held_awake(layout));
        // What a killed session leaves: its file, no longer locked.
        std::ofstream(layout.runtime_dir() / "awake-0123456789abcdef").put('\n');
        CHECK(held_awake(layout));
    }
    CHECK_FALSE(held_awake(layout));
    CHECK(std::distance(std::filesystem::directory_iterator(layout.runtime_dir()),
                        std::filesystem::directory_iterator()) == 2);
}

TEST_CASE("a hold on a machine that pauses asks its API socket first, and never hangs on none",
          "[idle]") {
    PausingMachine dev;
    auto &[dir, layout, config] = dev;
    std::filesystem::create_directories(layout.runtime_dir());
    {
        auto began = std::chrono::steady_clock::now();
        AwakeHold nobody(config, layout); // no forwarder: no socket
        CHECK(std::chrono::steady_clock::now() - began < 1s);
    }
    platform::UnixListener api(layout.api_socket());
    std::string asked;
    std::thread forwarder([&] {
        auto client = api.accept(platform::Clock::now() + 10s);
        REQUIRE(client);
        char buffer[256];
        auto n = ::recv(client.get(), buffer, sizeof buffer, 0);
        asked.assign(buffer, std::size_t(std::max<ssize_t>(n, 0)));
        std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK";
        ::send(client.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
    });
    AwakeHold hold(config, layout);
    forwarder.join();
    CHECK_THAT(asked, Catch::StartsWith("GET /_ping HTTP/1.1\r\n"));
    CHECK(held_awake(layout));
}
