// The built machine-agent binary, run as the guest would run it but under --root: exit codes,
// the Ready write, and the one console line a malformed config gives.
#include "agent_test_support.h"
#include "provisioning/agent/agent.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

using namespace machine::agent;
using namespace machine::agent::test;

namespace {

struct Run {
    int status = -1;
    std::string out;
    std::string err;
};

Run run_agent_binary(const TempDir &dir, std::vector<std::string> args) {
    args.insert(args.begin(), MACHINE_AGENT_BINARY);
    std::vector<char *> argv;
    for (auto &arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    auto out = dir.path() / "stdout", err = dir.path() / "stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(spawned == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    return {WEXITSTATUS(status), read_text(out), read_text(err)};
}

std::vector<std::string> lines_of(const std::string &text) {
    std::vector<std::string> lines;
    for (auto line : split(text, '\n'))
        if (!line.empty())
            lines.emplace_back(line);
    return lines;
}

// A root with accounts, a console and a ready port, and the config at --config.
struct Guest {
    TempDir dir;
    TempDir root;
    Guest(const std::string &config) {
        write_accounts(root, true);
        write_text(root / std::string(console_path), "");
        write_text(root / std::string(ready_port_path), "");
        write_text(dir.path() / "config.ign", config);
    }
    Run run(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--root", root.path().string(), "--config",
                                      (dir.path() / "config.ign").string(), "--no-wait"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_agent_binary(dir, args);
    }
    std::string port() const { return read_text(root / std::string(ready_port_path)); }
    std::string console() const { return read_text(root / std::string(console_path)); }
};

// The agent's first console line, which `machine start` reads as "provisioning".
const std::string started = "machine-agent: started\n";

} // namespace

TEST_CASE("machine-agent applies a config under --root and writes Ready", "[agent]") {
    Guest guest(R"({"ignition": {"version": "3.4.0"},
        "passwd": {"users": [{"name": "core", "sshAuthorizedKeys": ["ssh-ed25519 AAAA k"]}]},
        "storage": {"files": [{"path": "/etc/hostname", "contents": {"source": "data:,box"}}]}})");
    auto run = guest.run();
    CHECK(run.status == 0);
    CHECK(guest.port() == "Ready\n");
    CHECK(read_text(guest.root / "/etc/hostname") == "box");
    auto lines = lines_of(run.err);
    CHECK(std::all_of(lines.begin(), lines.end(), [](const std::string &line) {
        return line.rfind("machine-agent: ", 0) == 0;
    }));
    CHECK_THAT(run.err,
               Catch::Contains("dry run under --root: not running `systemctl daemon-reload`"));
    CHECK_THAT(run.err, Catch::Contains("dry run under --root: not running `hostname box`"));
    CHECK(guest.console() == started); // only milestones and errors go to the console

    write_text(guest.root / std::string(ready_port_path), "");
    auto again = guest.run();
    CHECK(again.status == 0);
    CHECK(guest.port() == "Ready\n");
    CHECK_THAT(again.err, !Catch::Contains("dry run"));
}

TEST_CASE("a malformed config gives one console line naming the field, and no Ready", "[agent]") {
    Guest guest(R"({"ignition": {"version": "3.4.0"},
        "storage": {"files": [{"path": "/etc/motd", "mode": "0644"}]}})");
    auto run = guest.run();
    CHECK(run.status == 1);
    CHECK(guest.port().empty());
    const std::string line =
        "machine-agent: invalid Ignition config: storage.files[0].mode: expected an integer (the "
        "decimal value of the mode: 420 is 0644), got string; not sending Ready\n";
    CHECK(run.err == started + line);
    CHECK(guest.console() == started + line);
    CHECK_FALSE(fs::exists(guest.root / std::string(marker_path)));
}

TEST_CASE("a config this system cannot honour is reported naming the field", "[agent]") {
    Guest guest(R"({"ignition": {"version": "3.4.0"},
        "passwd": {"users": [{"name": "core", "groups": ["docker"]}]}})");
    auto run = guest.run();
    CHECK(run.status == 1);
    CHECK(guest.console() == started +
                                 "machine-agent: cannot apply the Ignition config: "
                                 "passwd.users[0].groups[0]: group \"docker\" does not exist; not "
                                 "sending Ready\n");
    CHECK(guest.port().empty());
}

TEST_CASE("text that is not JSON is reported the same way", "[agent]") {
    Guest guest("{\"ignition\": ");
    auto run = guest.run();
    CHECK(run.status == 1);
    CHECK(lines_of(run.err).size() == 2);
    CHECK_THAT(run.err, Catch::StartsWith(started + "machine-agent: invalid Ignition config: "
                                                    "not valid JSON: "));
    CHECK(guest.port().empty());
}

TEST_CASE("no config on a machine never provisioned: exit 1, no Ready", "[agent]") {
    Guest guest("");
    fs::remove(guest.dir.path() / "config.ign");
    auto run = guest.run();
    CHECK(run.status == 1);
    CHECK_THAT(guest.console(), Catch::EndsWith("never provisioned; not sending Ready\n"));
    CHECK(guest.port().empty());
}

TEST_CASE("bad flags exit 2 with the usage", "[agent]") {
    TempDir dir;
    auto run = run_agent_binary(dir, {"--bogus"});
    CHECK(run.status == 2);
    CHECK_THAT(run.err, Catch::StartsWith("machine-agent: unknown argument --bogus\nusage: "));
    auto help = run_agent_binary(dir, {"--help"});
    CHECK(help.status == 0);
    CHECK_THAT(help.out, Catch::StartsWith("usage: machine-agent"));
}
