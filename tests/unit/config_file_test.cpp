// MachineConfig <-> YAML: a lossless round trip, and a strict reader whose every failure is a
// CorruptConfig naming the file and the field.
#include "machine/config_file.h"
#include "machine/errors.h"
#include "machine/sizes.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <tuple>

using namespace machine;
using machine::test::one_line;
using machine::test::thrown;

namespace {

const std::string file = "/home/u/.config/machine/machines/dev.yaml";

MachineConfig full_config() {
    MachineConfig c;
    c.name = "dev";
    c.provider = "qemu";
    c.arch = "aarch64";
    c.resources = {6, 8192, 120};
    c.image.path = "/var/lib/images/fedora coreos, 41.qcow2";
    c.image.format = "qcow2";
    c.image.kernel = "/var/lib/images/vmlinuz";
    c.image.initrd = "/var/lib/images/initrd.img";
    c.image.kernel_cmdline = "root=LABEL=root rw quiet ignition.platform.id=qemu # not a comment";
    c.image.provisioning = "cloud-init";
    c.ssh = {"core", 40123, "/home/u/.local/share/machine/machines/dev/id_ed25519",
             "SHA256:n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg"};
    c.mounts = {{"/home/u/src", "/src", true},
                {"/home/u/with space: and, comma", "/mnt/odd", false},
                {"/tmp", "/tmp", false}};
    c.rootful = true;
    c.timezone = "Europe/Berlin";
    c.idle_pause_seconds = 300;
    c.proxy = {"http://proxy.corp:3128", "http://u:p%40@proxy.corp:3129", "localhost,.corp"};
    c.ca_certs = "-----BEGIN CERTIFICATE-----\nQUFB\n-----END CERTIFICATE-----\n";
    c.created = 1764000000;
    c.last_up = 1764086400;
    return c;
}

// The stored format, pinned: changing it needs a schema_version bump.
const std::string stored_yaml = R"(schema_version: 4
name: dev
provider:
  name: qemu
  state: {}
arch: x86_64
resources:
  cpus: 4
  memory_mib: 4096
  disk_gib: 100
image:
  path: /images/fcos.qcow2
  format: qcow2
  kernel: ""
  initrd: ""
  kernel_cmdline: ""
  provisioning: ignition
ssh:
  username: core
  port: 2222
  identity_path: /data/machines/dev/id_ed25519
  host_key_fingerprint: ""
  uid: 1000
mounts:
  - host_path: /home/u/src
    guest_path: /src
    read_only: true
rootful: false
timezone: ""
idle_pause_seconds: 0
proxy:
  http: ""
  https: ""
  no_proxy: ""
ca_certs: ""
created: 1764000000
last_up: 0
)";

const std::string stored_yaml_v1 = R"(schema_version: 1
name: dev
provider: qemu
arch: x86_64
resources:
  cpus: 4
  memory_mib: 4096
  disk_gib: 100
image:
  path: /images/fcos.qcow2
  format: qcow2
  kernel: ""
  initrd: ""
  kernel_cmdline: ""
  provisioning: ignition
ssh:
  username: core
  port: 2222
  identity_path: /data/machines/dev/id_ed25519
  host_key_fingerprint: ""
mounts:
  - host_path: /home/u/src
    guest_path: /src
    read_only: true
rootful: false
timezone: ""
created: 1764000000
last_up: 0
)";

MachineConfig stored_config() {
    MachineConfig c;
    c.name = "dev";
    c.resources = {4, 4096, 100};
    c.image.path = "/images/fcos.qcow2";
    c.image.format = "qcow2";
    c.ssh.port = 2222;
    c.ssh.identity_path = "/data/machines/dev/id_ed25519";
    c.mounts = {{"/home/u/src", "/src", true}};
    c.created = 1764000000;
    return c;
}

// `text` with the one occurrence of `from` replaced by `to`.
std::string edited(const std::string &text, const std::string &from, const std::string &to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    return std::string(text).replace(at, from.size(), to);
}

CorruptConfig corrupt(const std::string &text) {
    return thrown<CorruptConfig>([&] { config_from_yaml(text, file); });
}

// The failure every corrupt file must produce: this file, this field, one line.
void check_corrupt(const std::string &text, const std::string &field) {
    CAPTURE(text);
    auto error = corrupt(text);
    CHECK(error.file() == file);
    CHECK(error.field() == field);
    CHECK_THAT(error.what(), Catch::Contains(file) && Catch::Contains(field));
    CHECK(one_line(error.what()));
    CHECK_FALSE(error.hint().empty());
}

} // namespace

TEST_CASE("a fully populated config survives the round trip", "[config]") {
    auto config = full_config();
    CHECK(config_from_yaml(config_to_yaml(config), file) == config);
}

TEST_CASE("a default config with empty strings and no mounts survives the round trip", "[config]") {
    MachineConfig config;
    config.name = "m";
    CHECK(config_from_yaml(config_to_yaml(config), file) == config);
}

TEST_CASE("strings YAML would read as another type survive the round trip", "[config]") {
    auto text =
        GENERATE(as<std::string>{}, "", "null", "~", "Null", "true", "false", "yes", "no", "on",
                 "123", "-1", "0x10", "1.5", "1e3", ".inf", "- item", "key: value", "#hash",
                 "a # b", "'single'", "\"double\"", " leading", "trailing ", "multi\nline",
                 "tab\there", "[a, b]", "{a: b}", "*alias", "&anchor", "!tag", "%percent", "@at",
                 "`tick", "|", ">", "?", ":", "---", "...", "caf\xc3\xa9", "back\\slash");
    CAPTURE(text);
    auto config = full_config();
    config.timezone = text;
    config.image.kernel_cmdline = text;
    config.ssh.host_key_fingerprint = text;
    config.mounts[0].host_path = text;
    CHECK(config_from_yaml(config_to_yaml(config), file) == config);
}

TEST_CASE("extreme numbers survive the round trip", "[config]") {
    auto config = full_config();
    config.resources.memory_mib = max_memory_mib;
    config.resources.disk_gib = max_disk_gib;
    config.ssh.port = 65535;
    config.created = INT64_MAX;
    config.last_up = INT64_MIN;
    CHECK(config_from_yaml(config_to_yaml(config), file) == config);
}

TEST_CASE("the stored format is pinned", "[config]") {
    CHECK(config_to_yaml(stored_config()) == stored_yaml);
    CHECK(config_from_yaml(stored_yaml, file) == stored_config());
}

TEST_CASE("invalid YAML is a CorruptConfig naming the line", "[config]") {
    auto error = corrupt("schema_version: 1\nname: [unclosed\n");
    CHECK(error.file() == file);
    CHECK_THAT(error.field(), Catch::StartsWith("line "));
    CHECK(one_line(error.what()));

    auto bad =
        GENERATE(as<std::string>{}, "a: b: c\n", "{name: dev\n", "[1, 2\n", "key: &a x\nk: *b\n");
    CAPTURE(bad);
    CHECK_THAT(corrupt(bad).field(), Catch::StartsWith("line "));
    auto misindented = edited(stored_yaml, "  cpus: 4\n", "  cpus: 4\n cpus: 5\n");
    CHECK_THAT(corrupt(misindented).field(), Catch::StartsWith("line "));
}

TEST_CASE("an empty file is a CorruptConfig at the top level", "[config]") {
    auto text = GENERATE(as<std::string>{}, "", "\n", "   \n\n", "# only a comment\n", "---\n",
                         "---\n...\n", "~\n", "null\n");
    check_corrupt(text, "(top level)");
}

TEST_CASE("a file that is not a mapping is a CorruptConfig at the top level", "[config]") {
    auto text = GENERATE(as<std::string>{}, "hello\n", "42\n", "- a\n- b\n", "[1, 2]\n",
                         "\"schema_version: 1\"\n");
    check_corrupt(text, "(top level)");
}

TEST_CASE("every prefix of a config either parses or is a CorruptConfig", "[config]") {
    auto full = GENERATE(config_to_yaml(full_config()), stored_yaml);
    std::size_t parsed = 0;
    for (std::size_t length = 0; length <= full.size(); ++length) {
        auto prefix = full.substr(0, length);
        try {
            auto config = config_from_yaml(prefix, file);
            ++parsed;
            // Only a cut inside the last value or its newline can still parse.
            CHECK(length >= full.rfind("last_up:"));
            CHECK(config.name == "dev");
        } catch (const CorruptConfig &error) {
            CHECK(error.file() == file);
            CHECK_FALSE(error.field().empty());
            CHECK(one_line(error.what()));
        } catch (const std::exception &error) {
            FAIL_CHECK("prefix of " << length << " bytes threw " << error.what() << ":\n"
                                    << prefix);
        }
    }
    CHECK(parsed >= 2); // the whole file, and the file without its last newline
}

TEST_CASE("every line dropped from a config is a CorruptConfig", "[config]") {
    std::string text = stored_yaml;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start) + 1;
        auto without = text.substr(0, start) + text.substr(end);
        CAPTURE(text.substr(start, end - start));
        CHECK_THROWS_AS(config_from_yaml(without, file), CorruptConfig);
        start = end;
    }
}

TEST_CASE("a value of the wrong type names its field", "[config]") {
    using Case = std::tuple<std::string, std::string, std::string>;
    auto [from, to, field] = GENERATE(
        Case{"schema_version: 4", "schema_version: one", "schema_version"},
        Case{"  cpus: 4", "  cpus: \"many\"", "resources.cpus"},
        Case{"  cpus: 4", "  cpus: 2.5", "resources.cpus"},
        Case{"  cpus: 4", "  cpus: 99999999999", "resources.cpus"},
        Case{"  memory_mib: 4096", "  memory_mib: -1", "resources.memory_mib"},
        Case{"  memory_mib: 4096", "  memory_mib: 4G", "resources.memory_mib"},
        Case{"  disk_gib: 100", "  disk_gib: 18446744073709551616", "resources.disk_gib"},
        Case{"  port: 2222", "  port: ssh", "ssh.port"},
        Case{"    read_only: true", "    read_only: sometimes", "mounts[0].read_only"},
        Case{"rootful: false", "rootful: maybe", "rootful"},
        Case{"created: 1764000000", "created: yesterday", "created"},
        Case{"last_up: 0", "last_up: 1.5", "last_up"}, Case{"name: dev", "name: [a, b]", "name"},
        Case{"name: dev", "name: {a: b}", "name"},
        Case{"resources:\n  cpus: 4\n  memory_mib: 4096\n  disk_gib: 100\n", "resources: 4\n",
             "resources"},
        Case{"mounts:\n", "mounts: /home/u/src\nx:\n", "mounts"},
        Case{"  - host_path: /home/u/src\n    guest_path: /src\n    read_only: true\n",
             "  - /home/u/src\n", "mounts[0]"});
    check_corrupt(edited(stored_yaml, from, to), field);
}

TEST_CASE("an unknown key names its field, at the top level and nested", "[config]") {
    using Case = std::tuple<std::string, std::string, std::string>;
    auto [from, to, field] =
        GENERATE(Case{"rootful: false\n", "rootful: false\nextra: 1\n", "extra"},
                 Case{"name: dev\n", "name: dev\nNAME: dev\n", "NAME"},
                 Case{"  cpus: 4\n", "  cpus: 4\n  extra: 1\n", "resources.extra"},
                 Case{"  format: qcow2\n", "  format: qcow2\n  sha256: abc\n", "image.sha256"},
                 Case{"  port: 2222\n", "  port: 2222\n  password: hunter2\n", "ssh.password"},
                 Case{"    read_only: true\n", "    read_only: true\n    options: [x]\n",
                      "mounts[0].options"});
    check_corrupt(edited(stored_yaml, from, to), field);
}

TEST_CASE("a missing or null field names it", "[config]") {
    using Case = std::pair<std::string, std::string>;
    auto [line, field] = GENERATE(
        Case{"schema_version: 4\n", "schema_version"}, Case{"name: dev\n", "name"},
        Case{"  name: qemu\n", "provider.name"}, Case{"arch: x86_64\n", "arch"},
        Case{"  cpus: 4\n", "resources.cpus"}, Case{"  disk_gib: 100\n", "resources.disk_gib"},
        Case{"  kernel: \"\"\n", "image.kernel"}, Case{"  port: 2222\n", "ssh.port"},
        Case{"    guest_path: /src\n", "mounts[0].guest_path"}, Case{"rootful: false\n", "rootful"},
        Case{"timezone: \"\"\n", "timezone"}, Case{"idle_pause_seconds: 0\n", "idle_pause_seconds"},
        Case{"last_up: 0\n", "last_up"});
    SECTION("missing") {
        check_corrupt(edited(stored_yaml, line, ""), field);
    }
    SECTION("null") {
        auto key = line.substr(0, line.find(':') + 1);
        check_corrupt(edited(stored_yaml, line, key + "\n"), field);
    }
    SECTION("tilde") {
        auto key = line.substr(0, line.find(':') + 1);
        check_corrupt(edited(stored_yaml, line, key + " ~\n"), field);
    }
}

TEST_CASE("another schema_version is a CorruptConfig naming it", "[config]") {
    auto version = GENERATE(as<std::string>{}, "0", "5", "-1", "100");
    check_corrupt(edited(stored_yaml, "schema_version: 4", "schema_version: " + version),
                  "schema_version");
    CHECK_THAT(corrupt(edited(stored_yaml, "schema_version: 4", "schema_version: 5")).what(),
               Catch::Contains("is 5") && Catch::Contains("reads 1 to 4"));
}

TEST_CASE("a version 1 config is read losing nothing, and saved as the current version",
          "[config]") {
    auto migrated = config_from_yaml(stored_yaml_v1, file);
    auto expected = stored_config();
    expected.ssh.uid = migrated.ssh.uid; // what version 1 derived from the host user
    CHECK(migrated == expected);
    CHECK(migrated.ssh.uid >= 1000);
    CHECK(migrated.provider_state.empty());
    auto saved = config_to_yaml(migrated);
    CHECK(saved.rfind("schema_version: 4\n", 0) == 0);
    CHECK(config_from_yaml(saved, file) == migrated);
    // A version 1 file is read by version 1's rules: the new fields are not expected there.
    check_corrupt(edited(stored_yaml_v1, "provider: qemu\n", "provider:\n  name: qemu\n"),
                  "provider");
}

const std::string proxy_lines =
    "proxy:\n  http: \"\"\n  https: \"\"\n  no_proxy: \"\"\nca_certs: \"\"\n";

TEST_CASE("a version 2 config is read with no idle pause", "[config]") {
    auto v2 = edited(edited(edited(stored_yaml, "schema_version: 4", "schema_version: 2"),
                            "idle_pause_seconds: 0\n", ""),
                     proxy_lines, "");
    CHECK(config_from_yaml(v2, file) == stored_config());
    check_corrupt(
        edited(edited(stored_yaml, "schema_version: 4", "schema_version: 2"), proxy_lines, ""),
        "idle_pause_seconds");
}

TEST_CASE("a version 3 config is read with no proxy and no CA certificates", "[config]") {
    auto v3 =
        edited(edited(stored_yaml, "schema_version: 4", "schema_version: 3"), proxy_lines, "");
    CHECK(config_from_yaml(v3, file) == stored_config());
    check_corrupt(edited(stored_yaml, "schema_version: 4", "schema_version: 3"), "proxy");
}

TEST_CASE("a stored proxy or CA bundle is checked as init checks it", "[config]") {
    check_corrupt(edited(stored_yaml, "  http: \"\"\n", "  http: \"http://p:1/'$(x)'\"\n"),
                  "proxy.http");
    check_corrupt(edited(stored_yaml, "  no_proxy: \"\"\n", "  no_proxy: \"a b\"\n"),
                  "proxy.no_proxy");
    check_corrupt(edited(stored_yaml, "ca_certs: \"\"\n", "ca_certs: junk\n"), "ca_certs");
}

TEST_CASE("the provider's own state is kept as the provider wrote it", "[config]") {
    auto config = stored_config();
    config.provider_state = {{"domain", "8c4f0e3a-1b2c-4d5e-9f60-718293a4b5c6"},
                             {"note", "yes: no, # [not] {yaml}"},
                             {"empty", ""}};
    CHECK(config_from_yaml(config_to_yaml(config), file) == config);
    check_corrupt(edited(stored_yaml, "  state: {}\n", "  state: [a]\n"), "provider.state");
    check_corrupt(edited(stored_yaml, "  state: {}\n", "  state: {a: [b]}\n"), "provider.state.a");
    check_corrupt(edited(stored_yaml, "  state: {}\n", ""), "provider.state");
}

TEST_CASE("out-of-range values are a CorruptConfig naming the field", "[config]") {
    using Case = std::tuple<std::string, std::string, std::string>;
    auto [from, to, field] = GENERATE(
        Case{"  cpus: 4", "  cpus: 0", "resources.cpus"},
        Case{"  cpus: 4", "  cpus: -2", "resources.cpus"},
        Case{"  memory_mib: 4096", "  memory_mib: 511", "resources.memory_mib"},
        Case{"  disk_gib: 100", "  disk_gib: 0", "resources.disk_gib"},
        Case{"  provisioning: ignition", "  provisioning: magic", "image.provisioning"},
        Case{"  provisioning: ignition", "  provisioning: \"\"", "image.provisioning"},
        Case{"arch: x86_64", "arch: riscv64", "arch"}, Case{"arch: x86_64", "arch: amd64", "arch"},
        Case{"idle_pause_seconds: 0", "idle_pause_seconds: 9", "idle_pause_seconds"},
        Case{"idle_pause_seconds: 0", "idle_pause_seconds: -1", "idle_pause_seconds"},
        Case{"idle_pause_seconds: 0", "idle_pause_seconds: 86401", "idle_pause_seconds"});
    check_corrupt(edited(stored_yaml, from, to), field);
}

TEST_CASE("values above what the CLI accepts are a CorruptConfig", "[config]") {
    // The flags cap memory at max_memory_mib and disks at max_disk_gib, but a hand-edited file
    // with 16 EiB of memory is passed on to QEMU.
    using Case = std::tuple<std::string, std::string, std::string>;
    auto [from, to, field] = GENERATE(
        Case{"  memory_mib: 4096", "  memory_mib: 18446744073709551615", "resources.memory_mib"},
        Case{"  disk_gib: 100", "  disk_gib: 99999999", "resources.disk_gib"},
        Case{"  port: 2222", "  port: 70000", "ssh.port"});
    check_corrupt(edited(stored_yaml, from, to), field);
}

TEST_CASE("a key that is not a plain string is a CorruptConfig", "[config]") {
    // finish() converts every key with as<std::string>(), which throws YAML::TypedBadConversion
    // for a sequence or mapping key instead of reporting the unknown key.
    auto text = stored_yaml + "? [a, b]\n: x\n";
    try {
        config_from_yaml(text, file);
        FAIL("accepted a sequence as a key");
    } catch (const CorruptConfig &error) {
        CHECK(error.file() == file);
        CHECK_FALSE(error.field().empty());
    }
}

TEST_CASE("a key given twice is a CorruptConfig", "[config]") {
    // YAML requires unique keys; yaml-cpp keeps both and the reader silently uses the first.
    auto text = edited(stored_yaml, "  cpus: 4\n", "  cpus: 4\n  cpus: 8\n");
    auto error = corrupt(text);
    CHECK(error.field() == "resources.cpus");
}
