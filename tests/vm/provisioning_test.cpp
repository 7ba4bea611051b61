// The shared machine's guest against the Ignition config `init` rendered for it: every file,
// folder, link, user key and unit is there as configured (content, mode, owner), as are the
// hostname, time zone and podman socket; a second boot changes nothing; the preloaded busybox
// runs rootless and rootful; a malformed config gives no Ready and the agent's console line.
#include "../../provisioning/agent/data_url.h"
#include "platform/sha256.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

using machine::test::vm_sandbox;

namespace {

std::filesystem::path machine_dir(const std::string &name) {
    return vm_sandbox().data_dir() / "machines" / name;
}

nlohmann::json ignition_of(const std::string &name) {
    std::ifstream in(machine_dir(name) / "ignition.json");
    return nlohmann::json::parse(in);
}

std::string sha256_of(const std::string &bytes) {
    machine::platform::Sha256 hash;
    hash.update(bytes.data(), bytes.size());
    return hash.hex_digest();
}

// Path -> "kind mode owner group [sha256|target]" as the config says it must be.
std::map<std::string, std::string> expected_entries(const nlohmann::json &ignition) {
    std::map<std::string, std::string> expected;
    auto owner = [](const nlohmann::json &entry, const char *key) {
        return entry.contains(key) ? entry[key]["name"].get<std::string>() : std::string("root");
    };
    for (const auto &file : ignition["storage"]["files"]) {
        auto contents =
            machine::agent::decode_data_url(file["contents"]["source"].get<std::string>(), "test");
        expected[file["path"]] =
            fmt::format("file {:o} {} {} {}", file["mode"].get<int>(), owner(file, "user"),
                        owner(file, "group"), sha256_of(contents));
    }
    for (const auto &dir : ignition["storage"]["directories"])
        expected[dir["path"]] = fmt::format("dir {:o} {} {}", dir["mode"].get<int>(),
                                            owner(dir, "user"), owner(dir, "group"));
    for (const auto &link : ignition["storage"]["links"])
        expected[link["path"]] = "link " + link["target"].get<std::string>();
    for (const auto &unit : ignition["systemd"]["units"])
        if (unit.contains("contents"))
            expected["/etc/systemd/system/" + unit["name"].get<std::string>()] =
                fmt::format("file 644 root root {}", sha256_of(unit["contents"]));
    return expected;
}

// The same entries as the guest has them, plus each file's mtime (to see a rewrite).
struct GuestEntries {
    std::map<std::string, std::string> entries;
    std::map<std::string, std::string> mtimes;
};

GuestEntries guest_entries(const std::map<std::string, std::string> &wanted) {
    std::string script;
    for (const auto &[path, ignored] : wanted)
        script += fmt::format("p={}\n", machine::shell_quote(path)) +
                  "if [ -L \"$p\" ]; then echo \"$p|link $(readlink \"$p\")|\";\n"
                  "elif [ -d \"$p\" ]; then echo \"$p|dir $(stat -c '%a %U %G' \"$p\")|\";\n"
                  "elif [ -f \"$p\" ]; then echo \"$p|file $(stat -c '%a %U %G' \"$p\") "
                  "$(sha256sum <\"$p\" | cut -c1-64)|$(stat -c %Y \"$p\")\";\n"
                  "else echo \"$p|missing|\"; fi\n";
    auto result =
        machine::test::run_in_sandbox(MACHINE_BINARY, {"ssh", "vm", "--", "sudo", "sh"}, script);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    GuestEntries guest;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
        auto first = line.find('|'), second = line.rfind('|');
        REQUIRE(first != second);
        auto path = line.substr(0, first);
        guest.entries[path] = line.substr(first + 1, second - first - 1);
        guest.mtimes[path] = line.substr(second + 1);
    }
    return guest;
}

std::string in_guest(const std::string &command_line) {
    auto result = vm_sandbox().run({"ssh", "vm", command_line});
    INFO(command_line << "\n" << result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

GuestEntries first_boot;

} // namespace

TEST_CASE("the guest is as its Ignition config says", "[vm][provisioning]") {
    machine::test::ensure_vm_running();
    auto ignition = ignition_of("vm");
    auto expected = expected_entries(ignition);
    REQUIRE(expected.count("/etc/ssh/ssh_host_ed25519_key") == 1);
    REQUIRE(expected.count("/etc/localtime") == 1);
    first_boot = guest_entries(expected);
    for (const auto &[path, entry] : expected) {
        INFO(path);
        CHECK(first_boot.entries[path] == entry);
    }

    // The user, in the sudo group, with the key init generated and nothing else.
    std::ifstream public_key(machine_dir("vm") / "id_ed25519.pub");
    std::string key;
    std::getline(public_key, key);
    CHECK(in_guest("id -un; id -Gn") == "core\ncore sudo\n");
    CHECK(in_guest("cat ~/.ssh/authorized_keys") == key + "\n");
    CHECK(in_guest("stat -c '%a %U' ~/.ssh ~/.ssh/authorized_keys") == "700 core\n600 core\n");
    // sshd offers only the host key made at init (the one `machine ssh` pinned).
    CHECK(in_guest("sudo sshd -T | grep -i '^hostkey '") ==
          "hostkey /etc/ssh/ssh_host_ed25519_key\n");
    CHECK(in_guest("hostname; cat /etc/hostname") == "vm\nvm\n");
    CHECK(in_guest("date +%Z") == "JST\n"); // init --timezone Asia/Tokyo
    CHECK(in_guest("systemctl is-enabled machine-ready.service") == "enabled\n");
    CHECK(in_guest("ls /var/lib/systemd/linger") == "core\n");
    CHECK(in_guest("systemctl --user is-active podman.socket; test -S "
                   "/run/user/1000/podman/podman.sock && echo socket") == "active\nsocket\n");
    // The root partition (found by its PARTUUID) and its filesystem grew to the 8 GiB disk of
    // `init --disk-size 8` at the first boot: the image's disk is 4 GiB.
    CHECK(in_guest("findmnt -no SOURCE /") == "/dev/vda2\n");
    CHECK(in_guest("sudo sfdisk --verify /dev/vda >/dev/null && echo verified") == "verified\n");
    auto root_mib = std::stoul(in_guest("df -B1M --output=size / | tail -n 1"));
    CHECK(root_mib > 7500); // 8192 MiB less the 129 MiB before the partition and ext4's own
}

TEST_CASE("the preloaded busybox runs rootless and rootful with no network", "[vm][provisioning]") {
    machine::test::ensure_vm_running();
    CHECK(in_guest("podman run --rm --network none localhost/busybox echo rootless") ==
          "rootless\n");
    CHECK(in_guest("sudo podman run --rm --network none localhost/busybox echo rootful") ==
          "rootful\n");
}

TEST_CASE("the agent's vsock code works inside the guest, over vsock_loopback", "[vm][vsock]") {
    // This host has no vsock: the agent's own tests of it run in the guest, whose kernel has it.
    machine::test::ensure_vm_running();
    REQUIRE(vm_sandbox().run({"cp", AGENT_TESTS, "vm:/tmp/agent_tests"}).exit_code == 0);
    REQUIRE(vm_sandbox().run({"cp", MACHINE_AGENT, "vm:/tmp/machine-agent"}).exit_code == 0);
    auto run =
        vm_sandbox().run({"ssh", "vm",
                          "sudo modprobe vsock_loopback && sudo MACHINE_AGENT=/tmp/machine-agent "
                          "/tmp/agent_tests '[vsock]' 2>&1"});
    INFO(run.out);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("All tests passed") != std::string::npos);
    CHECK(run.out.find("no vsock loopback") == std::string::npos); // ran, not skipped
}

TEST_CASE("a second boot changes nothing", "[vm][provisioning]") {
    machine::test::ensure_vm_running();
    auto expected = expected_entries(ignition_of("vm"));
    if (first_boot.entries.empty())
        first_boot = guest_entries(expected);
    REQUIRE(vm_sandbox().run({"stop", "vm"}).exit_code == 0);
    machine::test::ensure_vm_running();
    auto second_boot = guest_entries(expected);
    CHECK(second_boot.entries == first_boot.entries);
    CHECK(second_boot.mtimes == first_boot.mtimes); // not even rewritten with the same bytes
    CHECK(in_guest("sudo journalctl -b -u machine-agent -o cat | grep -c 'already matches'") ==
          "1\n");
}

TEST_CASE("a malformed Ignition config gives no Ready and one console line", "[vm][provisioning]") {
    auto image = std::string(MACHINE_GUEST_IMAGE);
    REQUIRE(vm_sandbox().run({"init", "--image", image, "--memory", "1024", "broken"}).exit_code ==
            0);
    std::ofstream(machine_dir("broken") / "ignition.json", std::ios::trunc)
        << R"({"ignition": {"version": "2.2.0"}})";
    auto start = vm_sandbox().run({"start", "--timeout", "300", "broken"});
    CHECK(start.exit_code == 125);
    CHECK(start.err.find("could not be provisioned: invalid Ignition config: ignition.version") !=
          std::string::npos);
    std::ifstream console(machine_dir("broken") / "console.log");
    std::string log((std::istreambuf_iterator<char>(console)), std::istreambuf_iterator<char>());
    CHECK(log.find("machine-agent: invalid Ignition config") != std::string::npos);
    CHECK(log.find("not sending Ready") != std::string::npos);
    CHECK(vm_sandbox().run({"inspect", "--format", "{{.State}}", "broken"}).out == "stopped\n");
    CHECK(vm_sandbox().run({"rm", "--force", "broken"}).exit_code == 0);
}
