// The plan: users first, storage nodes parents-first with Ignition's default modes, then each
// unit's files and links; and which podman socket means "ready".
#include "provisioning/agent/ignition.h"
#include "provisioning/agent/plan.h"

#include <catch2/catch.hpp>

using namespace machine::agent;

namespace {

std::vector<std::string> described(const Plan &plan) {
    std::vector<std::string> lines;
    for (const auto &action : plan)
        lines.push_back(describe(action));
    return lines;
}

const char *config_text = R"({
  "ignition": {"version": "3.4.0"},
  "passwd": {"users": [
    {"name": "core", "groups": ["sudo"], "sshAuthorizedKeys": ["ssh-ed25519 AAAA core@host"]},
    {"name": "root", "sshAuthorizedKeys": ["ssh-ed25519 AAAA core@host"]}
  ]},
  "storage": {
    "links": [{"path": "/home/core/.config/systemd/user/sockets.target.wants/podman.socket",
               "target": "/usr/lib/systemd/user/podman.socket",
               "user": {"name": "core"}, "group": {"name": "core"}, "overwrite": true}],
    "files": [{"path": "/etc/hostname", "mode": 420, "contents": {"source": "data:,box"}},
              {"path": "/var/lib/systemd/linger/core"}],
    "directories": [{"path": "/home/core/.config/systemd/user", "user": {"name": "core"}},
                    {"path": "/home/core/.config", "mode": 448, "user": {"id": 1000}}]
  },
  "systemd": {"units": [
    {"name": "podman.socket", "enabled": true},
    {"name": "apt-daily.timer", "mask": true},
    {"name": "ssh.service", "mask": false,
     "dropins": [{"name": "10-keys.conf", "contents": "[Unit]\n"}, {"name": "20-empty.conf"}]},
    {"name": "web.service", "enabled": false, "contents": "[Service]\nExecStart=/bin/true\n"}
  ]}
})";

} // namespace

TEST_CASE("a plan lists users, then nodes by depth, then units", "[agent]") {
    auto plan = make_plan(parse_ignition(config_text));
    CHECK(described(plan) ==
          std::vector<std::string>{
              "user core groups sudo",
              "subordinate ids for core",
              "authorized keys for core (1 key)",
              "user root",
              "authorized keys for root (1 key)",
              "file /etc/hostname 0644 root:root (3 bytes)",
              "directory /home/core/.config 0700 1000:root",
              "directory /home/core/.config/systemd/user 0755 core:root",
              "file /var/lib/systemd/linger/core 0644 root:root (no contents)",
              "symlink /home/core/.config/systemd/user/sockets.target.wants/podman.socket -> "
              "/usr/lib/systemd/user/podman.socket",
              "enable podman.socket",
              "symlink /etc/systemd/system/apt-daily.timer -> /dev/null",
              "remove /etc/systemd/system/ssh.service if -> /dev/null",
              "file /etc/systemd/system/ssh.service.d/10-keys.conf 0644 root:root (7 bytes)",
              "file /etc/systemd/system/web.service 0644 root:root (30 bytes)",
              "disable web.service",
          });
}

TEST_CASE("unit files and drop-ins are overwritten and belong to their unit", "[agent]") {
    auto plan = make_plan(parse_ignition(config_text));
    const EnsureFile *dropin = nullptr;
    for (const auto &action : plan)
        if (auto file = std::get_if<EnsureFile>(&action);
            file && file->path.find(".d/") != std::string::npos)
            dropin = file;
    REQUIRE(dropin);
    CHECK(dropin->overwrite);
    CHECK(dropin->unit == "ssh.service");
    CHECK(dropin->field == "systemd.units[2].dropins[0]");
    auto mask = std::get<EnsureLink>(plan.at(11));
    CHECK(mask.overwrite);
    CHECK(mask.unit == "apt-daily.timer");
    CHECK(mask.field == "systemd.units[1].mask");
}

TEST_CASE("podman.socket enabled system-wide means the rootful socket", "[agent]") {
    auto config = parse_ignition(config_text);
    CHECK(podman_api(config) == PodmanApi{true, ""});
    CHECK(enabled_units(config) == std::vector<std::string>{"podman.socket"});
}

TEST_CASE("without it the first user's rootless socket means ready", "[agent]") {
    auto config = parse_ignition(R"({"ignition": {"version": "3.4.0"},
        "passwd": {"users": [{"name": "core"}, {"name": "dev"}]},
        "systemd": {"units": [{"name": "podman.socket", "enabled": false},
                              {"name": "a.mount", "enabled": true}]}})");
    CHECK(podman_api(config) == PodmanApi{false, "core"});
    CHECK(enabled_units(config) == std::vector<std::string>{"a.mount"});
    CHECK_FALSE(podman_api(parse_ignition(R"({"ignition": {"version": "3.4.0"}})")));
}
