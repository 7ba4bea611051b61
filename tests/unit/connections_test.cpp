// Registering a machine with podman and docker: the exact commands, idempotence, and tools that
// are missing or refuse.
#include "../helpers/recording_runner.h"
#include "machine/connections.h"
#include "machine/errors.h"

#include <catch2/catch.hpp>

using namespace machine;

TEST_CASE("connection commands", "[connections]") {
    CHECK(podman_connection_add("dev", "unix:///run/m/dev/podman.sock", true) ==
          Command{
              "podman",
              {"system", "connection", "add", "--default", "dev", "unix:///run/m/dev/podman.sock"},
              {}});
    CHECK(docker_context_create("dev", "unix:///s.sock") ==
          Command{"docker",
                  {"context", "create", "dev", "--description", "machine dev", "--docker",
                   "host=unix:///s.sock"},
                  {}});
    CHECK(docker_context_name("default") == "machine-default"); // reserved by docker
    CHECK(docker_context_name("c") == "machine-c");             // too short for docker
    CHECK(docker_context_name("vm") == "vm");
    CHECK(docker_context_remove("default").args.back() == "machine-default");
}

TEST_CASE("clients reach the socket, on Windows the machine's named pipe", "[connections]") {
    using machine::platform::HostOs;
    CHECK(api_uri("dev", "/run/m/dev/podman.sock", HostOs::linux) ==
          "unix:///run/m/dev/podman.sock");
    CHECK(api_uri("dev", "/Users/u/.local/run/dev/podman.sock", HostOs::macos) ==
          "unix:///Users/u/.local/run/dev/podman.sock");
    // as the docker CLI writes its own default there
    CHECK(api_uri("dev", "C:/Users/u/podman.sock", HostOs::windows) ==
          "npipe:////./pipe/machine-dev");
}

TEST_CASE("registration replaces old entries and survives missing tools", "[connections]") {
    test::RecordingRunner runner;
    CHECK(register_connections(runner, "dev", "/s.sock", false).empty());
    REQUIRE(runner.commands.size() == 4);
    CHECK(runner.commands[0] == podman_connection_remove("dev"));
    CHECK(runner.commands[1] == podman_connection_add("dev", "unix:///s.sock", false));
    CHECK(runner.commands[2] == docker_context_remove("dev"));
    CHECK(runner.commands[3] == docker_context_create("dev", "unix:///s.sock"));

    test::RecordingRunner missing;
    missing.respond = [](const Command &c) -> ProcessResult {
        if (c.program == "podman")
            throw HostNotReady("podman is not installed");
        return {1, "", "docker says no\nmore detail\n"};
    };
    auto problems = register_connections(missing, "dev", "/s.sock", false);
    REQUIRE(problems.size() == 1); // the refused create; removals may fail quietly
    CHECK(problems[0].find("docker says no") != std::string::npos);
    CHECK(problems[0].find("more detail") == std::string::npos);
}
