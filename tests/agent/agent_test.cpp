// One boot of the agent against a temporary root: the config applied, systemd told, Ready
// written and the marker recorded; a second boot with the same config runs nothing; a
// malformed or missing config sends no Ready.
#include "agent_test_support.h"
#include "provisioning/agent/agent.h"
#include "provisioning/agent/errors.h"

using namespace machine::agent;
using namespace machine::agent::test;

namespace {

const std::string rootful = R"({
  "ignition": {"version": "3.4.0"},
  "passwd": {"users": [{"name": "core", "sshAuthorizedKeys": ["ssh-ed25519 AAAA core@host"]}]},
  "storage": {"files": [{"path": "/etc/hostname", "mode": 420, "overwrite": true,
                         "contents": {"source": "data:,devbox%0A"}}]},
  "systemd": {"units": [
    {"name": "podman.socket", "enabled": true},
    {"name": "ready.service", "contents": "[Service]\nExecStart=/bin/true\n"},
    {"name": "src.mount", "enabled": true,
     "contents": "[Mount]\nWhat=vol0\n[Install]\nWantedBy=local-fs.target\n"}
  ]},
  "kernelArguments": {"shouldExist": ["quiet"]}
})";

const std::string rootless = R"({
  "ignition": {"version": "3.4.0"},
  "passwd": {"users": [{"name": "core", "sshAuthorizedKeys": ["ssh-ed25519 AAAA core@host"]}]},
  "storage": {"files": [{"path": "/var/lib/systemd/linger/core", "contents": {"source": "data:,"}}]}
})";

struct Boot {
    TempDir root;
    RecordingSystem system{[this](const Argv &argv) { play_account_commands(root, argv); }};
    std::vector<std::string> lines;
    Log log{{}, [this](std::string_view line) { lines.emplace_back(line); }};
    Options options;

    explicit Boot(const std::string &config) {
        write_accounts(root, true);
        write_text(root / "/lib/systemd/system/podman.socket",
                   "[Install]\nWantedBy=sockets.target\n");
        write_text(root / "/dev/virtio-ports/org.fedoraproject.port.0", "");
        options.root = root.path();
        options.wait = false;
        if (!config.empty())
            write_text(root / std::string(config_path), config);
    }
    void run() { run_agent(options, system, log); }
    std::string port() const { return read_text(root / std::string(ready_port_path)); }
    bool logged(const std::string &text) const {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string &line) {
            return line.find(text) != std::string::npos;
        });
    }
};

} // namespace

TEST_CASE("a first boot applies the config, starts what it enabled and sends Ready", "[agent]") {
    Boot boot(rootful);
    boot.run();
    CHECK(read_text(boot.root / "/etc/hostname") == "devbox\n");
    CHECK(boot.system.commands() ==
          std::vector<Argv>{{"hostname", "devbox"},
                            {"systemctl", "daemon-reload"},
                            {"systemctl", "start", "--no-block", "podman.socket", "src.mount"}});
    CHECK(boot.port() == "Ready\n");
    CHECK(read_text(boot.root / std::string(marker_path)) ==
          "podman-socket=/run/podman/podman.sock\n");
    CHECK(boot.logged("machine-agent: skipping unsupported Ignition field kernelArguments\n"));
    CHECK(boot.logged("machine-agent: wrote /etc/hostname\n"));
    CHECK(boot.logged("machine-agent: sent Ready"));
}

TEST_CASE("a second boot with the same config runs nothing and sends Ready again", "[agent]") {
    Boot boot(rootful);
    boot.run();
    boot.system.clear();
    boot.lines.clear();
    write_text(boot.root / std::string(ready_port_path), "");

    boot.run();
    CHECK(boot.system.commands().empty());
    CHECK(boot.logged("the system already matches the Ignition config"));
    CHECK(boot.port() == "Ready\n");
}

TEST_CASE("a unit that fails to start is logged and Ready still sent", "[agent]") {
    Boot boot(rootful);
    RecordingSystem failing([](const Argv &argv) {
        if (argv.at(1) == "start")
            throw CommandFailed(argv, "exited with 1");
    });
    run_agent(boot.options, failing, boot.log);
    CHECK(boot.port() == "Ready\n");
    CHECK(boot.logged("machine-agent: could not start podman.socket, src.mount: `systemctl start "
                      "--no-block podman.socket src.mount` exited with 1\n"));
    CHECK(fs::exists(boot.root / std::string(marker_path)));
}

TEST_CASE("a rootless machine waits for the first user's socket", "[agent]") {
    Boot boot(rootless);
    boot.run();
    CHECK(read_text(boot.root / std::string(marker_path)) ==
          "podman-socket=/run/user/" + std::to_string(test_uid()) + "/podman/podman.sock\n");
    CHECK(boot.system.commands() == std::vector<Argv>{{"systemctl", "daemon-reload"}});
}

TEST_CASE("a malformed config changes nothing and sends no Ready", "[agent]") {
    Boot boot(R"({"ignition": {"version": "3.4.0"}, "storage": {"files": [
                  {"path": "/etc/hostname", "contents": {"source": "data:,x"}},
                  {"path": "/etc/motd", "mode": "0644"}]}})");
    auto error = thrown<ConfigError>([&] { boot.run(); });
    CHECK(error.field() == "storage.files[1].mode");
    CHECK(boot.port().empty());
    CHECK_FALSE(fs::exists(boot.root / "/etc/hostname"));
    CHECK_FALSE(fs::exists(boot.root / std::string(marker_path)));
    CHECK(boot.system.commands().empty());
}

TEST_CASE("without a config a provisioned machine still sends Ready", "[agent]") {
    Boot boot("");
    write_text(boot.root / std::string(marker_path), "podman-socket=/run/podman/podman.sock\n");
    boot.run();
    CHECK(boot.port() == "Ready\n");
    CHECK(boot.logged("provisioned before"));
    CHECK(boot.system.commands().empty());
}

TEST_CASE("without a config a never provisioned machine sends no Ready", "[agent]") {
    Boot boot("");
    auto error = thrown<NotProvisioned>([&] { boot.run(); });
    CHECK_THAT(error.what(), Catch::EndsWith("and this machine was never provisioned"));
    CHECK(boot.port().empty());
}

TEST_CASE("the config and ready-port options replace the guest paths", "[agent]") {
    Boot boot("");
    write_text(boot.root.path() / "elsewhere.ign", rootless);
    write_text(boot.root.path() / "port", "");
    boot.options.config = boot.root.path() / "elsewhere.ign";
    boot.options.ready_port = boot.root.path() / "port";
    boot.run();
    CHECK(read_text(boot.root.path() / "port") == "Ready\n");
    CHECK(boot.port().empty());
}

TEST_CASE("waiting gives up naming what never came up", "[agent]") {
    Boot boot(rootful);
    boot.options.wait = true;
    boot.options.timeout = std::chrono::seconds(1);
    fs::remove(boot.root / std::string(ready_port_path));
    auto error = thrown<Timeout>([&] { boot.run(); });
    CHECK_THAT(error.what(), Catch::Contains("the podman API socket /run/podman/podman.sock"));
    CHECK_THAT(error.what(), Catch::Contains("the ready port"));
    CHECK_THAT(error.what(), Catch::StartsWith("still waiting after 1 s for "));
    CHECK_FALSE(fs::exists(boot.root / std::string(marker_path)));
}
