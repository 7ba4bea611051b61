// Parsing the Ignition subset: every supported field lands in the Config, unsupported ones are
// listed as skipped, and each kind of malformed config fails naming its field.
#include "agent_test_support.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/ignition.h"

#include <nlohmann/json.hpp>

using machine::agent::ConfigError;
using machine::agent::parse_ignition;
using machine::agent::test::one_line;
using machine::agent::test::thrown;
using nlohmann::json;

namespace {

json minimal() {
    return {{"ignition", {{"version", "3.4.0"}}}};
}

ConfigError text_error(const std::string &text) {
    return thrown<ConfigError>([&] { parse_ignition(text); });
}

ConfigError config_error(const json &config) {
    return text_error(config.dump());
}

} // namespace

TEST_CASE("a full config parses into users, nodes and units", "[agent]") {
    json config = minimal();
    config["passwd"]["users"] = {{{"name", "core"},
                                  {"uid", 1000},
                                  {"groups", {"sudo", "wheel"}},
                                  {"sshAuthorizedKeys", {"  ssh-ed25519 AAAA core@host  "}}}};
    config["storage"]["directories"] = {
        {{"path", "/home/core/.config/"}, {"mode", 493}, {"user", {{"name", "core"}}}}};
    config["storage"]["files"] = {{{"path", "/etc//hostname"},
                                   {"mode", 420},
                                   {"overwrite", true},
                                   {"user", {{"id", 0}}},
                                   {"group", {{"name", "root"}}},
                                   {"contents", {{"source", "data:,devbox%0A"}}}},
                                  {{"path", "/var/lib/systemd/linger/core"}}};
    config["storage"]["links"] = {{{"path", "/etc/localtime"},
                                   {"target", "../usr/share/zoneinfo/UTC"},
                                   {"hard", false},
                                   {"overwrite", true}}};
    config["systemd"]["units"] = {
        {{"name", "podman.socket"}, {"enabled", true}},
        {{"name", "apt-daily.timer"}, {"mask", true}},
        {{"name", "ssh.service"},
         {"dropins", {{{"name", "10-keys.conf"}, {"contents", "[Unit]\n"}}}}}};

    auto parsed = parse_ignition(config.dump());
    CHECK(parsed.version == "3.4.0");
    REQUIRE(parsed.users.size() == 1);
    CHECK(parsed.users[0].field == "passwd.users[0]");
    CHECK(parsed.users[0].name == "core");
    CHECK(parsed.users[0].uid == 1000u);
    CHECK(parsed.users[0].groups == std::vector<std::string>{"sudo", "wheel"});
    CHECK(parsed.users[0].ssh_authorized_keys ==
          std::vector<std::string>{"ssh-ed25519 AAAA core@host"});

    REQUIRE(parsed.directories.size() == 1);
    CHECK(parsed.directories[0].path == "/home/core/.config"); // normalized
    CHECK(parsed.directories[0].mode == 0755u);
    CHECK(parsed.directories[0].user.name == "core");

    REQUIRE(parsed.files.size() == 2);
    CHECK(parsed.files[0].path == "/etc/hostname");
    CHECK(parsed.files[0].mode == 0644u);
    CHECK(parsed.files[0].overwrite);
    CHECK(parsed.files[0].user.id == 0u);
    CHECK(parsed.files[0].group.name == "root");
    CHECK(parsed.files[0].contents == "devbox\n");
    CHECK_FALSE(parsed.files[1].contents);
    CHECK_FALSE(parsed.files[1].mode);
    CHECK_FALSE(parsed.files[1].overwrite);

    REQUIRE(parsed.links.size() == 1);
    CHECK(parsed.links[0].target == "../usr/share/zoneinfo/UTC"); // relative targets kept
    CHECK(parsed.links[0].overwrite);

    REQUIRE(parsed.units.size() == 3);
    CHECK(parsed.units[0].enabled == true);
    CHECK_FALSE(parsed.units[0].contents);
    CHECK(parsed.units[1].mask == true);
    REQUIRE(parsed.units[2].dropins.size() == 1);
    CHECK(parsed.units[2].dropins[0].name == "10-keys.conf");
    CHECK(parsed.skipped.empty());
}

TEST_CASE("every Ignition 3.x.y version is accepted", "[agent]") {
    for (auto version : {"3.0.0", "3.4.0", "3.5.0-experimental", "3.10.2"}) {
        INFO(version);
        json config = {{"ignition", {{"version", version}}}};
        CHECK(parse_ignition(config.dump()).version == version);
    }
}

TEST_CASE("other Ignition versions are refused naming ignition.version", "[agent]") {
    for (auto version : {"2.3.0", "4.0.0", "3", "3.x.0", "", "v3.4.0"}) {
        INFO(version);
        json config = {{"ignition", {{"version", version}}}};
        auto error = config_error(config);
        CHECK(error.field() == "ignition.version");
        CHECK_THAT(error.what(), Catch::Contains("unsupported version"));
    }
    CHECK(config_error(json{{"passwd", json::object()}}).field() == "ignition.version");
    CHECK(config_error(json{{"ignition", json::object()}}).field() == "ignition.version");
    CHECK(config_error(json{{"ignition", {{"version", 3}}}}).field() == "ignition.version");
}

TEST_CASE("unsupported fields are listed as skipped, empty ones are not", "[agent]") {
    json config = minimal();
    config["kernelArguments"] = {{"shouldExist", {"quiet"}}};
    config["ignition"]["timeouts"] = {{"httpTotal", 10}};
    config["passwd"]["groups"] = {{{"name", "docker"}}};
    config["passwd"]["users"] = {{{"name", "core"}, {"passwordHash", "$6$x"}, {"shell", ""}}};
    config["storage"]["disks"] = {{{"device", "/dev/vdb"}}};
    config["storage"]["filesystems"] = json::array(); // empty: changes nothing, not reported
    config["storage"]["files"] = {
        {{"path", "/etc/a"},
         {"append", {{{"source", "data:,x"}}}},
         {"contents", {{"source", "data:,x"}, {"verification", {{"hash", "sha512-00"}}}}}}};
    config["systemd"]["units"] = {{{"name", "a.service"}, {"enabled", true}, {"extra", 1}}};
    config["systemd"]["other"] = nullptr;

    auto parsed = parse_ignition(config.dump());
    CHECK(parsed.skipped == std::vector<std::string>{
                                "ignition.timeouts",
                                "passwd.users[0].passwordHash",
                                "passwd.groups",
                                "storage.files[0].contents.verification",
                                "storage.files[0].append",
                                "storage.disks",
                                "systemd.units[0].extra",
                                "kernelArguments",
                            });
    // ...and what is supported still arrives
    CHECK(parsed.users.size() == 1);
    CHECK(parsed.files.at(0).contents == "x");
    CHECK(parsed.units.at(0).enabled == true);
}

TEST_CASE("a number too large for a double is refused as invalid JSON", "[agent]") {
    // found by tests/fuzz/ignition_fuzz.cpp: nlohmann-json throws out_of_range, not parse_error
    auto huge = text_error("{\"ignition\": {\"version\": \"3.4.0\"}, \"x\": 8888.88e88888888}");
    CHECK(huge.field().empty());
    CHECK_THAT(huge.what(), Catch::StartsWith("not valid JSON: "));
}

TEST_CASE("text that is not JSON, or JSON that is not an object, is refused", "[agent]") {
    auto not_json = text_error("{\"ignition\": {\"version\": \"3.4.0\"");
    CHECK(not_json.field().empty());
    CHECK_THAT(not_json.what(), Catch::StartsWith("not valid JSON: "));
    CHECK_THAT(not_json.what(), Catch::Contains("line 1"));
    CHECK_THAT(not_json.what(), !Catch::Contains("json.exception"));
    CHECK(one_line(not_json.what()));

    CHECK_THAT(text_error("").what(), Catch::Contains("empty"));
    CHECK_THAT(text_error("  \n").what(), Catch::Contains("empty"));
    CHECK_THAT(text_error("[1, 2]").what(),
               Catch::Contains("expected a JSON object at the top level, got array"));
    CHECK_THAT(text_error("\"ignition\"").what(), Catch::Contains("got string"));
}

TEST_CASE("malformed fields are refused naming the field", "[agent]") {
    struct Case {
        std::string description;
        json config;
        std::string field;
        std::string problem;
    };
    auto with = [](const json::json_pointer &pointer, json value) {
        json config = minimal();
        config[pointer] = std::move(value);
        return config;
    };
    auto file = [](json fields) {
        json entry = {{"path", "/etc/x"}};
        entry.update(fields);
        json config = minimal();
        config["storage"]["files"] = json::array({entry});
        return config;
    };
    std::vector<Case> cases = {
        {"passwd not an object", with("/passwd"_json_pointer, json::array()), "passwd",
         "expected an object, got array"},
        {"users not an array", with("/passwd/users"_json_pointer, "core"), "passwd.users",
         "expected an array, got string"},
        {"user name a number", with("/passwd/users"_json_pointer, {{{"name", 7}}}),
         "passwd.users[0].name", "expected a string, got number"},
        {"user without a name", with("/passwd/users"_json_pointer, json::array({json::object()})),
         "passwd.users[0].name", "missing"},
        {"user name like a flag", with("/passwd/users"_json_pointer, {{{"name", "-o"}}}),
         "passwd.users[0].name", "not a valid user or group name"},
        {"user listed twice",
         with("/passwd/users"_json_pointer, {{{"name", "core"}}, {{"name", "core"}}}),
         "passwd.users[1].name", "listed twice"},
        {"negative uid", with("/passwd/users"_json_pointer, {{{"name", "core"}, {"uid", -1}}}),
         "passwd.users[0].uid", "out of range"},
        {"group a number",
         with("/passwd/users"_json_pointer, {{{"name", "core"}, {"groups", {"sudo", 27}}}}),
         "passwd.users[0].groups[1]", "expected a string"},
        {"key with a newline",
         with("/passwd/users"_json_pointer,
              {{{"name", "core"}, {"sshAuthorizedKeys", {"ssh-ed25519 A\nssh-rsa B"}}}}),
         "passwd.users[0].sshAuthorizedKeys[0]", "single line"},
        {"mode a string", file({{"mode", "0644"}}), "storage.files[0].mode",
         "expected an integer (the decimal value of the mode: 420 is 0644)"},
        {"mode out of range", file({{"mode", 70000}}), "storage.files[0].mode",
         "is not a permission mode"},
        {"mode a float", file({{"mode", 420.5}}), "storage.files[0].mode", "expected an integer"},
        {"relative path", file({{"path", "etc/x"}}), "storage.files[0].path",
         "is not an absolute path"},
        {"path escaping the root", file({{"path", "/etc/../../x"}}), "storage.files[0].path",
         "must not contain \"..\""},
        {"path of /", file({{"path", "/"}}), "storage.files[0].path", "\"/\" itself"},
        {"overwrite a string", file({{"overwrite", "yes"}}), "storage.files[0].overwrite",
         "expected true or false, got string"},
        {"bad data: URL", file({{"contents", {{"source", "data:;base64,%%"}}}}),
         "storage.files[0].contents.source", "bad percent-encoding"},
        {"remote source", file({{"contents", {{"source", "https://example.com/x"}}}}),
         "storage.files[0].contents.source", "is not a data: URL"},
        {"compressed contents",
         file({{"contents", {{"source", "data:,x"}, {"compression", "gzip"}}}}),
         "storage.files[0].contents.compression", "not supported"},
        {"owner name a number", file({{"user", {{"name", 0}}}}), "storage.files[0].user.name",
         "expected a string"},
        {"owner not an object", file({{"group", "root"}}), "storage.files[0].group",
         "expected an object"},
        {"duplicate path",
         with("/storage"_json_pointer, {{"directories", {{{"path", "/etc/x"}}}},
                                        {"links", {{{"path", "/etc/x/"}, {"target", "y"}}}}}),
         "storage.links[0].path", "also given by storage.directories[0]"},
        {"link without target", with("/storage/links"_json_pointer, {{{"path", "/a"}}}),
         "storage.links[0].target", "missing"},
        {"hard link to a relative target",
         with("/storage/links"_json_pointer, {{{"path", "/a"}, {"target", "b"}, {"hard", true}}}),
         "storage.links[0].target", "not an absolute path"},
        {"unit without a type", with("/systemd/units"_json_pointer, {{{"name", "podman"}}}),
         "systemd.units[0].name", "is not a unit name"},
        {"unit name with a slash",
         with("/systemd/units"_json_pointer, {{{"name", "../x.service"}}}), "systemd.units[0].name",
         "is not a unit name"},
        {"enabled a string",
         with("/systemd/units"_json_pointer, {{{"name", "a.service"}, {"enabled", "true"}}}),
         "systemd.units[0].enabled", "expected true or false"},
        {"contents not a string",
         with("/systemd/units"_json_pointer, {{{"name", "a.service"}, {"contents", {1}}}}),
         "systemd.units[0].contents", "expected a string, got array"},
        {"drop-in not .conf",
         with("/systemd/units"_json_pointer,
              {{{"name", "a.service"}, {"dropins", {{{"name", "x.txt"}}}}}}),
         "systemd.units[0].dropins[0].name", "not a drop-in name"},
        {"masked and enabled",
         with("/systemd/units"_json_pointer,
              {{{"name", "a.service"}, {"mask", true}, {"enabled", true}}}),
         "systemd.units[0].mask", "both masked and enabled"},
        {"unit listed twice",
         with("/systemd/units"_json_pointer, {{{"name", "a.service"}}, {{"name", "a.service"}}}),
         "systemd.units[1].name", "listed twice"},
    };
    for (const auto &c : cases) {
        INFO(c.description);
        auto error = config_error(c.config);
        CHECK(error.field() == c.field);
        CHECK_THAT(error.what(), Catch::StartsWith(c.field + ": "));
        CHECK_THAT(error.what(), Catch::Contains(c.problem));
        CHECK(one_line(error.what()));
    }
}
