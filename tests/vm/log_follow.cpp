#include "log_follow.h"

#include "../reliability/tally.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>

namespace machine::test {

namespace {

// Debian's python3-docker is installed for Debian's python, whatever python3 is first on PATH.
const std::string python = "/usr/bin/python3";

void docker_cli_follows(const std::string &host) {
    if (!have_program("docker", "installed by .ci/clients"))
        return;
    // The second line comes only after the first has arrived through the follow, so this
    // follows a running container, not one that already ended.
    auto id = run_in_sandbox(
        "env", {host, "docker", "run", "-d", "localhost/busybox", "sh", "-c",
                "echo first; while [ ! -e /tmp/go ]; do sleep 0.2; done; echo second"});
    INFO(id.err);
    REQUIRE(id.exit_code == 0);
    auto container = id.out.substr(0, 12);
    auto followed = run_in_sandbox("env", {host, "sh", "-c",
                                           "timeout 300 docker logs -f " + container +
                                               " | { read line && echo \"$line\" && docker exec " +
                                               container + " touch /tmp/go && cat; }"});
    INFO(followed.err);
    CHECK(followed.exit_code == 0);
    CHECK(followed.out == "first\nsecond\n");
    run_in_sandbox("env", {host, "docker", "rm", "-f", container});
}

void docker_py_follows(const std::string &host) {
    if (run_in_sandbox(python, {"-c", "import docker"}).exit_code != 0)
        return skip("docker-py is not installed (python3-docker, installed by .ci/deps)");
    auto followed = run_in_sandbox("env", {host, python, DOCKER_PY_LOGS});
    INFO(followed.err);
    CHECK(followed.exit_code == 0);
    CHECK(followed.out == "run: ['one', 'two']\nfollow: ['first', 'second']\n");
}

} // namespace

void check_logs_follow(const std::string &socket) {
    auto host = "DOCKER_HOST=unix://" + socket;
    docker_cli_follows(host);
    docker_py_follows(host);
}

} // namespace machine::test
