// Applying a full config into a temporary root: files, modes, owners, links, units, .wants
// symlinks, authorized_keys and subordinate ids land where the guest needs them, a second run
// changes nothing, and what cannot be applied fails naming its field.
#include "agent_test_support.h"
#include "provisioning/agent/apply.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/ignition.h"
#include "provisioning/agent/plan.h"

#include <algorithm>

using namespace machine::agent;
using namespace machine::agent::test;

namespace {

const std::string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheUser core@host";

// What the host renders for a rootful machine, plus a mask and a drop-in.
const std::string full_config = R"({
  "ignition": {"version": "3.4.0"},
  "passwd": {"users": [
    {"name": "core", "groups": ["sudo"], "sshAuthorizedKeys": [")" +
                                key + R"("]},
    {"name": "root", "sshAuthorizedKeys": [")" +
                                key + R"("]}
  ]},
  "storage": {
    "files": [
      {"path": "/etc/hostname", "mode": 420, "overwrite": true,
       "user": {"name": "root"}, "group": {"name": "root"},
       "contents": {"source": "data:,devbox%0A"}},
      {"path": "/etc/ssh/ssh_host_ed25519_key", "mode": 384, "overwrite": true,
       "contents": {"source": "data:;base64,LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0K"}},
      {"path": "/etc/sudoers.d/machine", "mode": 288, "overwrite": true,
       "contents": {"source": "data:,core%20ALL%3D(ALL)%20NOPASSWD%3A%20ALL%0A"}},
      {"path": "/var/lib/systemd/linger/core", "mode": 420, "overwrite": true,
       "contents": {"source": "data:,"}}
    ],
    "directories": [
      {"path": "/home/core/.config/systemd/user/sockets.target.wants", "mode": 493,
       "user": {"name": "core"}, "group": {"name": "core"}},
      {"path": "/home/core/.config", "mode": 493,
       "user": {"name": "core"}, "group": {"name": "core"}}
    ],
    "links": [
      {"path": "/etc/localtime", "target": "/usr/share/zoneinfo/Europe/Berlin", "hard": false,
       "overwrite": true},
      {"path": "/home/core/.config/systemd/user/sockets.target.wants/podman.socket",
       "target": "/usr/lib/systemd/user/podman.socket", "hard": false, "overwrite": true,
       "user": {"name": "core"}, "group": {"name": "core"}}
    ]
  },
  "systemd": {"units": [
    {"name": "podman.socket", "enabled": true},
    {"name": "home-core-src.mount", "enabled": true,
     "contents": "[Mount]\nWhat=vol0\nWhere=/home/core/src\n[Install]\nWantedBy=local-fs.target\n"},
    {"name": "apt-daily.timer", "mask": true},
    {"name": "ssh.service",
     "dropins": [{"name": "machine-keys.conf", "contents": "[Service]\nRestartSec=1s\n"}]}
  ]},
  "kernelArguments": {"shouldExist": ["quiet"]}
})";

// A Debian image as debootstrap leaves it, with the user already created (the second boot of
// a machine, or an image with the user baked in).
void make_image(const TempDir &root, bool with_core = true) {
    write_accounts(root, with_core);
    write_text(
        root / "/lib/systemd/system/podman.socket",
        "[Unit]\nDescription=Podman API Socket\n\n[Socket]\nListenStream=%t/podman/podman.sock\n"
        "SocketMode=0660\n\n[Install]\nWantedBy=sockets.target\n");
    write_text(root / "/lib/systemd/system/apt-daily.timer", "[Timer]\nOnCalendar=daily\n");
    write_text(root / "/etc/hostname", "debian\n");
    fs::create_symlink("/usr/share/zoneinfo/Etc/UTC", root / "/etc/localtime");
}

ApplyResult apply(const TempDir &root, System &system, const std::string &config) {
    return Applier(Root(root.path()), system, ::geteuid() == 0)
        .apply(make_plan(parse_ignition(config)));
}

ino_t inode_of(const fs::path &path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_ino;
}

bool contains(const std::vector<std::string> &lines, const std::string &text) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string &line) {
        return line.find(text) != std::string::npos;
    });
}

} // namespace

TEST_CASE("a full config lands in the root with its contents, modes and owners", "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system([&](const Argv &argv) { play_account_commands(root, argv); });
    auto result = apply(root, system, full_config);

    // files: contents decoded, modes exact whatever the umask
    CHECK(read_text(root / "/etc/hostname") == "devbox\n");
    CHECK(mode_of(root / "/etc/hostname") == 0644);
    CHECK(read_text(root / "/etc/ssh/ssh_host_ed25519_key") ==
          "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    CHECK(mode_of(root / "/etc/ssh/ssh_host_ed25519_key") == 0600);
    CHECK(read_text(root / "/etc/sudoers.d/machine") == "core ALL=(ALL) NOPASSWD: ALL\n");
    CHECK(mode_of(root / "/etc/sudoers.d/machine") == 0440);
    CHECK(read_text(root / "/var/lib/systemd/linger/core").empty());
    CHECK(mode_of(root / "/etc/sudoers.d") == 0755); // a parent Ignition would create

    // directories, parents first, and links
    CHECK(fs::is_directory(root / "/home/core/.config/systemd/user/sockets.target.wants"));
    CHECK(mode_of(root / "/home/core/.config") == 0755);
    CHECK(link_of(root / "/etc/localtime") == "/usr/share/zoneinfo/Europe/Berlin");
    CHECK(link_of(root / "/home/core/.config/systemd/user/sockets.target.wants/podman.socket") ==
          "/usr/lib/systemd/user/podman.socket");

    // units: contents, drop-ins, .wants links from [Install], masks
    CHECK(link_of(root / "/etc/systemd/system/sockets.target.wants/podman.socket") ==
          "/lib/systemd/system/podman.socket");
    CHECK_THAT(read_text(root / "/etc/systemd/system/home-core-src.mount"),
               Catch::Contains("What=vol0"));
    CHECK(mode_of(root / "/etc/systemd/system/home-core-src.mount") == 0644);
    CHECK(link_of(root / "/etc/systemd/system/local-fs.target.wants/home-core-src.mount") ==
          "/etc/systemd/system/home-core-src.mount");
    CHECK(link_of(root / "/etc/systemd/system/apt-daily.timer") == "/dev/null");
    CHECK(read_text(root / "/etc/systemd/system/ssh.service.d/machine-keys.conf") ==
          "[Service]\nRestartSec=1s\n");
    CHECK(result.changed_units == std::set<std::string>{"podman.socket", "home-core-src.mount",
                                                        "apt-daily.timer", "ssh.service"});

    // users: keys, subordinate ids, groups through usermod
    CHECK(read_text(root / "/home/core/.ssh/authorized_keys") == key + "\n");
    CHECK(mode_of(root / "/home/core/.ssh/authorized_keys") == 0600);
    CHECK(mode_of(root / "/home/core/.ssh") == 0700);
    CHECK(read_text(root / "/root/.ssh/authorized_keys") == key + "\n");
    CHECK(read_text(root / "/etc/subuid") == "core:100000:65536\n");
    CHECK(read_text(root / "/etc/subgid") == "core:100000:65536\n");
    CHECK(system.commands() ==
          std::vector<Argv>{{"usermod", "--append", "--groups", "sudo", "core"}});
    CHECK(contains(result.changes, "added core to sudo"));
    CHECK(contains(result.changes, "wrote /etc/hostname"));
    CHECK(contains(result.changes, "linked /etc/localtime -> /usr/share/zoneinfo/Europe/Berlin"));
    CHECK(result.notes.empty());

    if (::geteuid() == 0) {
        CHECK(owner_of(root / "/home/core/.ssh") == 1000);
        CHECK(owner_of(root / "/home/core/.ssh/authorized_keys") == 1000);
        CHECK(owner_of(root / "/home/core/.config") == 1000);
        CHECK(
            owner_of(root / "/home/core/.config/systemd/user/sockets.target.wants/podman.socket") ==
            1000);
        CHECK(owner_of(root / "/root/.ssh/authorized_keys") == 0);
        CHECK(owner_of(root / "/etc/hostname") == 0);
    }
}

TEST_CASE("applying the same config again changes nothing", "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system([&](const Argv &argv) { play_account_commands(root, argv); });
    CHECK_FALSE(apply(root, system, full_config).changes.empty());
    auto hostname_inode = inode_of(root / "/etc/hostname");
    system.clear();

    auto second = apply(root, system, full_config);
    CHECK(second.changes.empty());
    CHECK(second.notes.empty());
    CHECK(second.changed_units.empty());
    CHECK(system.commands().empty());
    CHECK(inode_of(root / "/etc/hostname") == hostname_inode); // not even rewritten
}

TEST_CASE("a missing user is created with useradd, then left alone", "[agent]") {
    TempDir root;
    make_image(root, false);
    RecordingSystem system([&](const Argv &argv) { play_account_commands(root, argv); });
    auto first = apply(root, system, full_config);
    CHECK(system.commands() ==
          std::vector<Argv>{{"useradd", "--create-home", "--shell", "/bin/bash", "--user-group",
                             "--groups", "sudo", "core"}});
    CHECK(contains(first.changes, "created user core"));
    CHECK(read_text(root / "/home/core/.ssh/authorized_keys") == key + "\n");

    system.clear();
    CHECK(apply(root, system, full_config).changes.empty());
    CHECK(system.commands().empty());
}

TEST_CASE("useradd gets the uid, and an existing group of the user's name", "[agent]") {
    TempDir root;
    make_image(root, false);
    write_text(root / "/etc/group", read_text(root / "/etc/group") + "dev:x:1500:\n");
    RecordingSystem system([&](const Argv &argv) { play_account_commands(root, argv); });
    apply(root, system,
          R"({"ignition": {"version": "3.4.0"},
            "passwd": {"users": [{"name": "dev", "uid": 1501}]}})");
    CHECK(system.commands().at(0) == Argv{"useradd", "--create-home", "--shell", "/bin/bash",
                                          "--gid", "dev", "--uid", "1501", "dev"});
}

TEST_CASE("the user's own keys and subordinate ids of other users are kept", "[agent]") {
    TempDir root;
    make_image(root);
    write_text(root / "/home/core/.ssh/authorized_keys", "ssh-rsa BBBB mine\n");
    write_text(root / "/etc/subuid", "other:100000:65536");
    RecordingSystem system([&](const Argv &argv) { play_account_commands(root, argv); });
    apply(root, system, full_config);
    CHECK(read_text(root / "/home/core/.ssh/authorized_keys") ==
          "ssh-rsa BBBB mine\n" + key + "\n");
    CHECK(read_text(root / "/etc/subuid") == "other:100000:65536\ncore:165536:65536\n");
    CHECK(read_text(root / "/etc/subgid") == "core:100000:65536\n");
}

TEST_CASE("modes and links that drifted are put back", "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system([&](const Argv &argv) { play_account_commands(root, argv); });
    apply(root, system, full_config);
    fs::permissions(root / "/etc/ssh/ssh_host_ed25519_key", fs::perms(0644));
    fs::remove(root / "/etc/localtime");
    fs::create_symlink("/usr/share/zoneinfo/UTC", root / "/etc/localtime");
    fs::remove(root / "/etc/systemd/system/sockets.target.wants/podman.socket");

    auto again = apply(root, system, full_config);
    CHECK(mode_of(root / "/etc/ssh/ssh_host_ed25519_key") == 0600);
    CHECK(link_of(root / "/etc/localtime") == "/usr/share/zoneinfo/Europe/Berlin");
    CHECK(fs::is_symlink(root / "/etc/systemd/system/sockets.target.wants/podman.socket"));
    CHECK(again.changes.size() == 3);
    CHECK(again.changed_units == std::set<std::string>{"podman.socket"});
}

TEST_CASE("overwrite false keeps an existing file and link as they are", "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system;
    auto result = apply(root, system, R"({"ignition": {"version": "3.4.0"}, "storage": {
        "files": [{"path": "/etc/hostname", "contents": {"source": "data:,other"}},
                  {"path": "/etc/new", "contents": {"source": "data:,new"}}],
        "links": [{"path": "/etc/localtime", "target": "/usr/share/zoneinfo/Asia/Tokyo"}]}})");
    CHECK(read_text(root / "/etc/hostname") == "debian\n");
    CHECK(link_of(root / "/etc/localtime") == "/usr/share/zoneinfo/Etc/UTC");
    CHECK(read_text(root / "/etc/new") == "new");
    CHECK(result.notes.size() == 2);
    CHECK(contains(result.notes, "kept /etc/hostname as it is"));
}

TEST_CASE("a file without contents is created empty, or keeps its bytes", "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system;
    apply(root, system, R"({"ignition": {"version": "3.4.0"}, "storage": {
        "files": [{"path": "/etc/hostname", "mode": 384}, {"path": "/etc/empty"}]}})");
    CHECK(read_text(root / "/etc/hostname") == "debian\n");
    CHECK(mode_of(root / "/etc/hostname") == 0600);
    CHECK(read_text(root / "/etc/empty").empty());
    CHECK(mode_of(root / "/etc/empty") == 0644);
}

TEST_CASE("masking replaces a unit file, unmasking removes only a mask", "[agent]") {
    TempDir root;
    make_image(root);
    write_text(root / "/etc/systemd/system/x.service", "[Service]\n");
    RecordingSystem system;
    apply(root, system, R"({"ignition": {"version": "3.4.0"}, "systemd": {"units": [
        {"name": "x.service", "mask": true}, {"name": "y.service", "mask": false}]}})");
    CHECK(link_of(root / "/etc/systemd/system/x.service") == "/dev/null");

    auto result = apply(root, system, R"({"ignition": {"version": "3.4.0"}, "systemd": {"units": [
        {"name": "x.service", "mask": false}]}})");
    CHECK_FALSE(fs::exists(fs::symlink_status(root / "/etc/systemd/system/x.service")));
    CHECK(result.changed_units == std::set<std::string>{"x.service"});
}

TEST_CASE("disabling removes the links enabling made", "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system;
    apply(root, system, R"({"ignition": {"version": "3.4.0"}, "systemd": {"units": [
        {"name": "podman.socket", "enabled": true}]}})");
    REQUIRE(fs::is_symlink(root / "/etc/systemd/system/sockets.target.wants/podman.socket"));
    apply(root, system, R"({"ignition": {"version": "3.4.0"}, "systemd": {"units": [
        {"name": "podman.socket", "enabled": false}]}})");
    CHECK_FALSE(fs::exists(
        fs::symlink_status(root / "/etc/systemd/system/sockets.target.wants/podman.socket")));
}

TEST_CASE("a unit written by storage.files can be enabled, one without [Install] is noted",
          "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system;
    auto result = apply(root, system, R"({"ignition": {"version": "3.4.0"},
      "storage": {"files": [{"path": "/etc/systemd/system/a.service",
        "contents": {"source": "data:,%5BInstall%5D%0AWantedBy%3Dmulti-user.target%0A"}}]},
      "systemd": {"units": [{"name": "a.service", "enabled": true},
                            {"name": "apt-daily.timer", "enabled": true}]}})");
    CHECK(link_of(root / "/etc/systemd/system/multi-user.target.wants/a.service") ==
          "/etc/systemd/system/a.service");
    CHECK(contains(result.notes, "apt-daily.timer has no WantedBy="));
}

TEST_CASE("a hard link shares the target's inode", "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system;
    const std::string config = R"({"ignition": {"version": "3.4.0"}, "storage": {
        "links": [{"path": "/etc/hostname.copy", "target": "/etc/hostname", "hard": true}]}})";
    apply(root, system, config);
    CHECK(fs::equivalent(root / "/etc/hostname", root / "/etc/hostname.copy"));
    CHECK(apply(root, system, config).changes.empty());
}

TEST_CASE("what the system cannot honour fails naming the field", "[agent]") {
    TempDir root;
    make_image(root);
    RecordingSystem system([&](const Argv &argv) { play_account_commands(root, argv); });
    struct Case {
        std::string config;
        std::string field;
        std::string problem;
    };
    auto config = [](const std::string &body) {
        return R"({"ignition": {"version": "3.4.0"}, )" + body + "}";
    };
    fs::create_directories(root / "/etc/adir");
    write_text(root / "/etc/afile", "x");
    fs::create_directories(root / "/home/bob");
    write_text(root / "/etc/passwd",
               read_text(root / "/etc/passwd") + "bob:x:1001:1001::/home/bob:/bin/bash\n");
    fs::create_symlink("/root/.ssh", root / "/home/bob/.ssh");
    for (const auto &c : {
             Case{
                 config(R"("passwd": {"users": [{"name": "core", "groups": ["sudo", "docker"]}]})"),
                 "passwd.users[0].groups[1]", "group \"docker\" does not exist"},
             Case{config(
                      R"("storage": {"files": [{"path": "/etc/x", "user": {"name": "nobody"}}]})"),
                  "storage.files[0].user.name", "no user \"nobody\""},
             Case{config(
                      R"("storage": {"files": [{"path": "/etc/x", "group": {"name": "wheel"}}]})"),
                  "storage.files[0].group.name", "no group \"wheel\""},
             Case{config(R"("storage": {"files": [{"path": "/etc/adir", "overwrite": true}]})"),
                  "storage.files[0].path", "is a directory"},
             Case{config(R"("storage": {"directories": [{"path": "/etc/afile"}]})"),
                  "storage.directories[0].path", "exists and is not a directory"},
             Case{config(
                      R"("storage": {"links": [
                        {"path": "/etc/l", "target": "/etc/none", "hard": true}]})"),
                  "storage.links[0].target", "does not exist"},
             Case{config(R"("systemd": {"units": [{"name": "nothere.service", "enabled": true}]})"),
                  "systemd.units[0].enabled", "no unit file"},
             Case{config(R"("passwd": {"users": [{"name": "bob", "sshAuthorizedKeys": ["k"]}]})"),
                  "passwd.users[0].sshAuthorizedKeys", "not writing keys through it"},
         }) {
        INFO(c.config);
        auto error = thrown<ApplyError>([&] { apply(root, system, c.config); });
        CHECK(error.field() == c.field);
        CHECK_THAT(error.what(), Catch::StartsWith(c.field + ": "));
        CHECK_THAT(error.what(), Catch::Contains(c.problem));
        CHECK(one_line(error.what()));
    }
    CHECK_FALSE(fs::exists(root / "/root/.ssh/authorized_keys"));
}

TEST_CASE("enabling a masked unit fails naming the field", "[agent]") {
    TempDir root;
    make_image(root);
    fs::create_directories(root / "/etc/systemd/system");
    fs::create_symlink("/dev/null", root / "/etc/systemd/system/podman.socket");
    RecordingSystem system;
    auto error = thrown<ApplyError>([&] {
        apply(root, system, R"({"ignition": {"version": "3.4.0"}, "systemd": {"units": [
            {"name": "podman.socket", "enabled": true}]}})");
    });
    CHECK(error.field() == "systemd.units[0].enabled");
    CHECK_THAT(error.what(), Catch::Contains("is masked"));
}

TEST_CASE("disabling a masked unit leaves the mask alone", "[agent]") {
    TempDir root;
    make_image(root);
    fs::create_directories(root / "/etc/systemd/system");
    fs::create_symlink("/dev/null", root / "/etc/systemd/system/podman.socket");
    RecordingSystem system;
    auto result = apply(root, system, R"({"ignition": {"version": "3.4.0"}, "systemd": {"units": [
        {"name": "podman.socket", "enabled": false}]}})");
    CHECK(result.changes.empty());
    CHECK(link_of(root / "/etc/systemd/system/podman.socket") == "/dev/null");
}
