// machine-mux over a process's stdin and stdout, for real on this host: the forwarder's own code
// (run_forwarder, what `machine __forwarder` runs) reaching the built `machine-agent --mux-stdio`
// through WslProvider::connect_agent and platform::StdioProcess, exactly as on Windows except that
// the process is the agent itself instead of wsl.exe running it. A unix socket under the agent's
// --root stands in for podman's API; the machine has no SSH, so machine-mux is all there is.
#include "../../agent/ping_engine.h"
#include "../../helpers/recording_runner.h"
#include "../../helpers/temp_dir.h"
#include "machine/api_forwarder.h"
#include "platform/process_runner.h"
#include "providers/wsl/wsl_commands.h"
#include "providers/wsl/wsl_provider.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <mutex>
#include <thread>

using namespace machine;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Our children running `machine-agent --mux-stdio --root ROOT`, by /proc.
std::vector<int> agents_under(const fs::path &root) {
    std::vector<int> pids;
    for (const auto &entry : fs::directory_iterator("/proc")) {
        auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream cmdline(entry.path() / "cmdline");
        std::string text((std::istreambuf_iterator<char>(cmdline)), {});
        if (text.find("--mux-stdio") != std::string::npos &&
            text.find(root.string()) != std::string::npos &&
            platform::process_alive(std::stoi(name)))
            pids.push_back(std::stoi(name));
    }
    return pids;
}

template <typename Condition> bool eventually(Condition condition) {
    for (int i = 0; i < 200; ++i) {
        if (condition())
            return true;
        std::this_thread::sleep_for(25ms);
    }
    return false;
}

} // namespace

TEST_CASE("the forwarder carries the API over machine-agent --mux-stdio's stdio, and reconnects "
          "when that process ends",
          "[wsl][mux]") {
    test::TempDir root, host;
    root.write("dev/console", "");
    auto engine_socket = root.path / "run/podman/podman.sock"; // no marker: the rootful socket
    fs::create_directories(engine_socket.parent_path());
    agent::test::PingEngine engine(engine_socket);

    // wsl.exe: the distribution runs; its agent is the built one, on a socket pair's end.
    test::RecordingRunner runner;
    runner.respond = [](const Command &c) {
        return ProcessResult{0, c.args == wsl_list_running().args ? "machine-dev\r\n" : "", ""};
    };
    std::atomic<int> spawned{0};
    WslProvider provider(runner, [&](const Command &command, const fs::path &log) {
        CHECK(command == wsl_mux_stdio("machine-dev"));
        ++spawned;
        return std::make_unique<platform::StdioProcess>(
            Command{MACHINE_AGENT_BINARY, {"--mux-stdio", "--root", root.path.string()}, {}}, log);
    });
    MachineConfig config;
    config.name = "dev";
    Layout layout({host.path / "config", host.path / "data", host.path / "run"}, "dev");

    std::atomic<bool> machine_running{true};
    std::mutex log_mutex;
    std::vector<std::string> log;
    ForwarderOptions options;
    options.machine = "dev";
    options.listen = host.path / "api.sock";
    options.guest_socket = "/run/podman/podman.sock";
    options.target = {}; // no SSH: an empty host
    options.connect_agent = [&] { return provider.connect_agent(config, layout); };
    options.machine_running = [&] { return machine_running.load(); };
    options.log = [&](const std::string &line) {
        std::lock_guard lock(log_mutex);
        log.push_back(line);
    };
    std::thread forwarder([&] { run_forwarder(options); });

    REQUIRE(eventually([&] { return fs::exists(options.listen); }));
    const std::string pong = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK";
    CHECK(agent::test::ping(options.listen) == pong);
    CHECK(agent::test::ping(options.listen) == pong); // one stream each, over the one link
    REQUIRE(agents_under(root.path).size() == 1);
    CHECK(spawned == 1);

    // The process carrying the link ends (wsl.exe killed, say): the forwarder asks for a new
    // link, and the ended process is reaped, not left a zombie.
    auto first = agents_under(root.path).front();
    platform::kill_process(first);
    CHECK(eventually([&] { return spawned == 2; }));
    CHECK(agent::test::ping(options.listen) == pong);
    CHECK_FALSE(platform::process_alive(first));

    machine_running = false;
    forwarder.join();
    {
        std::lock_guard lock(log_mutex);
        CHECK(std::find(log.begin(), log.end(),
                        "forwarder: the guest agent answered; forwarding over machine-mux") !=
              log.end());
        for (const auto &line : log)
            CHECK(line.find("SSH") == std::string::npos); // never fell back to it
    }
}
