// `list`, `inspect` and `info` output as podman prints it: table, json and templates.
#include "cli_runner.h"
#include "platform/process_runner.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>

using machine::test::CliSandbox;

TEST_CASE("list formats", "[cli][formats]") {
    CliSandbox sandbox;
    CHECK(sandbox.run({"list"}).out ==
          "NAME        VM TYPE     CREATED     LAST UP     CPUS        MEMORY      DISK SIZE\n");
    REQUIRE(sandbox
                .run({"init", "--image", sandbox.image(), "--cpus", "1", "--memory", "1G",
                      "--disk-size", "8"})
                .exit_code == 0);
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "--cpus", "2", "other"}).exit_code ==
            0);

    auto table = sandbox.run({"list"});
    CHECK(table.exit_code == 0);
    CHECK(table.err.empty());
    // CREATED depends on how long init took; every other cell and the alignment are exact.
    std::regex expected("NAME        VM TYPE     CREATED( *)LAST UP     CPUS        MEMORY      "
                        "DISK SIZE\n"
                        "default\\*    qemu        (Less than a second|[0-9] seconds?) ago *"
                        "Never       1           1GiB        8GiB\n"
                        "other       qemu        (Less than a second|[0-9] seconds?) ago *"
                        "Never       2           2GiB        100GiB\n");
    CHECK(std::regex_match(table.out, expected));
    CHECK(sandbox.run({"ls", "--noheading", "--format", "table {{.Name}}\t{{.CPUs}}"}).out ==
          "default*    1\nother       2\n");
    CHECK(sandbox.run({"list", "--format", "table {{.Name}}\t{{.VMType}}\t{{.LastUp}}"}).out ==
          "NAME        VM TYPE     LAST UP\ndefault*    qemu        Never\nother       qemu       "
          " Never\n");
    CHECK(sandbox.run({"list", "-q"}).out == "default\nother\n");
    CHECK(sandbox.run({"list", "--format", "{{.Name}}:{{.Memory}}:{{.Running}}"}).out ==
          "default*:1GiB:false\nother:2GiB:false\n");

    auto json = nlohmann::json::parse(sandbox.run({"list", "--format", "json"}).out);
    REQUIRE(json.size() == 2);
    CHECK(json[0]["Name"] == "default");
    CHECK(json[0]["Default"] == true);
    CHECK(json[0]["Memory"] == "1073741824");
    CHECK(json[0]["DiskSize"] == "8589934592");
    CHECK(json[0]["CPUs"] == 1);
    CHECK(json[0]["VMType"] == "qemu");
    CHECK(json[0]["Running"] == false);
    CHECK(json[0]["RemoteUsername"] == "core");
    CHECK(json[0]["Port"].get<int>() > 0);
    CHECK(json[1]["Default"] == false);
}

TEST_CASE("inspect formats", "[cli][formats]") {
    CliSandbox sandbox;
    auto share = sandbox.root().string();
    REQUIRE(sandbox
                .run({"init", "--image", sandbox.image(), "--rootful", "--username", "dev",
                      "--timezone", "UTC", "-v", share + ":/src:ro", "m1"})
                .exit_code == 0);
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "m2"}).exit_code == 0);

    auto result = sandbox.run({"inspect", "m1", "m2"});
    REQUIRE(result.exit_code == 0);
    auto json = nlohmann::json::parse(result.out);
    REQUIRE(json.size() == 2);
    const auto &m1 = json[0];
    CHECK(m1["Name"] == "m1");
    CHECK(m1["State"] == "stopped");
    CHECK(m1["Rootful"] == true);
    CHECK(m1["SSHConfig"]["RemoteUsername"] == "dev");
    CHECK(m1["Timezone"] == "UTC");
    CHECK(m1["Mounts"] ==
          nlohmann::json::parse(R"([{"Source":")" + share +
                                R"(","Target":"/src","ReadOnly":true,"Type":"9p"}])"));
    // The base is the image's copy in the cache, so moving the original breaks nothing.
    CHECK(m1["Image"]["BaseImage"].get<std::string>().find("/images/cache/sha256-") !=
          std::string::npos);
    CHECK(m1["ConnectionInfo"]["PodmanSocket"]["Path"].get<std::string>().find("m1/podman.sock") !=
          std::string::npos);
    // Without --volume, the user's home is shared at the same path, as podman does.
    auto home = (sandbox.root() / "home").string();
    CHECK(json[1]["Mounts"][0]["Source"] == home);
    CHECK(json[1]["Mounts"][0]["Target"] == home);

    CHECK(sandbox.run({"inspect", "--format", "{{.Name}} {{.Resources.CPUs}} {{.State}}", "m2"})
              .out.rfind("m2 ", 0) == 0);
    CHECK(sandbox.run({"inspect", "--format", "{{json .SSHConfig.RemoteUsername}}", "m1"}).out ==
          "\"dev\"\n");
}

TEST_CASE("set changes a stopped machine, the disk only grows", "[cli][formats]") {
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "--disk-size", "5"}).exit_code == 0);
    REQUIRE(sandbox.run({"set", "--cpus", "2", "--memory", "3G", "--disk-size", "7", "--rootful"})
                .exit_code == 0);
    auto json = nlohmann::json::parse(sandbox.run({"inspect"}).out)[0];
    CHECK(json["Resources"] == nlohmann::json{{"CPUs", 2}, {"Memory", 3072}, {"DiskSize", 7}});
    CHECK(json["Rootful"] == true);
    auto info = sandbox.run({"set", "--rootful=false"});
    CHECK(info.exit_code == 0);
    CHECK(nlohmann::json::parse(sandbox.run({"inspect"}).out)[0]["Rootful"] == false);
    machine::platform::SpawnProcessRunner runner;
    auto disk = (sandbox.data_dir() / "machines" / "default" / "disk.qcow2").string();
    auto qemu_img = runner.check({"qemu-img", {"info", "--output=json", disk}, {}});
    CHECK(nlohmann::json::parse(qemu_img.out)["virtual-size"] == 7ull << 30);
}

TEST_CASE("info, version and help", "[cli][formats]") {
    CliSandbox sandbox;
    auto info = nlohmann::json::parse(sandbox.run({"info", "--format", "json"}).out);
    CHECK(info["Host"]["NumberOfMachines"] == 0);
    CHECK(info["Host"]["VMType"] == "qemu");
    CHECK(info["Host"]["VMTypeReason"] == "the first of qemu, libvirt that this host can run");
    CHECK(info["Host"]["OS"] == "linux");
    auto yaml = sandbox.run({"info"});
    CHECK(yaml.exit_code == 0);
    CHECK(yaml.out.find("Host:\n") == 0);
    CHECK(sandbox.run({"info", "--format", "{{.Host.Arch}}"}).out == "x86_64\n");
    CHECK(sandbox.run({"--version"}).out.rfind("machine version ", 0) == 0);
    for (std::string verb : {"init", "list", "inspect", "rm", "set", "info", "start", "stop", "ssh",
                             "cp", "reset", "env"}) {
        auto help = sandbox.run({verb, "--help"});
        CHECK(help.exit_code == 0);
        CHECK(help.out.find("Usage") != std::string::npos);
    }
    CHECK(sandbox.run({}).exit_code == 125);
}

TEST_CASE("env prints exports for each shell", "[cli][formats]") {
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "m"}).exit_code == 0);
    auto socket = (sandbox.root() / "run" / "machine" / "m" / "podman.sock").string();
    CHECK(sandbox.run({"env", "m", "--shell", "bash"}).out ==
          "export DOCKER_HOST=unix://" + socket + "\nexport CONTAINER_HOST=unix://" + socket +
              "\n");
    CHECK(sandbox.run({"env", "m", "--shell", "fish"}).out.find("set -gx DOCKER_HOST ") == 0);
    CHECK(sandbox.run({"env", "m", "--shell", "powershell"}).out.find("$Env:DOCKER_HOST = ") == 0);
    CHECK(sandbox.run({"env", "m", "--shell", "cmd"}).out ==
          "SET DOCKER_HOST=unix://" + socket + "\nSET CONTAINER_HOST=unix://" + socket + "\n");
    CHECK(sandbox.run({"env", "m", "--shell", "tcsh"}).exit_code == 125);
    CHECK(sandbox.run({"env", "nosuch"}).exit_code == 125);
}

TEST_CASE("reset removes every machine", "[cli][formats]") {
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "a"}).exit_code == 0);
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "b"}).exit_code == 0);
    CHECK(sandbox.run({"reset"}).exit_code == 0); // no "y" on stdin: nothing happens
    CHECK(sandbox.run({"list", "-q"}).out == "a\nb\n");
    CHECK(sandbox.run({"reset", "--force"}).exit_code == 0);
    CHECK(sandbox.run({"list", "-q"}).out.empty());
    CHECK_FALSE(std::filesystem::exists(sandbox.data_dir() / "machines" / "a"));
}
