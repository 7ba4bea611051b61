// Clients nobody here wrote, through the machine's forwarded API socket as their users point them
// at it (DOCKER_HOST): docker-compose (Debian's v1, on docker-py), and dockerode with
// testcontainers-node from the npm registry (tests/vm/clients, installed by .ci/node-clients).
// docker-py and the docker CLI are driven in log_follow.cpp and engine_test.cpp.
#include "../reliability/tally.h"
#include "platform/host.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

using namespace machine::test;

namespace {

// An HTTP GET on the host's loopback, by curl; its body, or "" when nothing answers.
std::string http_get_once(int port, const std::string &path) {
    return run_in_sandbox("curl", {"-s", "--max-time", "10",
                                   "http://127.0.0.1:" + std::to_string(port) + path})
        .out;
}

} // namespace

TEST_CASE("docker-compose brings a service up, publishes its port and takes it down",
          "[vm][clients]") {
    ensure_vm_running();
    if (!have_program("docker-compose", "docker-compose, installed by .ci/deps"))
        return;
    int port = machine::platform::free_loopback_port();
    auto project = vm_sandbox().root() / "compose";
    std::filesystem::create_directories(project);
    std::ofstream(project / "docker-compose.yml") << "version: \"3.7\"\n"
                                                     "services:\n"
                                                     "  web:\n"
                                                     "    image: localhost/busybox\n"
                                                     "    command: httpd -f -p 80 -h /etc\n"
                                                     "    ports:\n"
                                                     "      - \""
                                                  << port << ":80\"\n";
    auto compose = [&](std::vector<std::string> args) {
        args.insert(args.begin(),
                    {"--project-directory", project.string(), "--file",
                     (project / "docker-compose.yml").string(), "--project-name", "clients"});
        return run_in_sandbox("docker-compose", args);
    };
    auto up = compose({"up", "--detach"});
    INFO(up.out << up.err);
    REQUIRE(up.exit_code == 0);
    auto serves = [&] { return http_get_once(port, "/passwd").rfind("root:", 0) == 0; };
    bool served = serves();
    for (int i = 0; i < 40 && !served; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        served = serves();
    }
    CHECK(served);
    auto listed = compose({"ps", "--services", "--filter", "status=running"});
    CHECK(listed.out == "web\n");
    auto down = compose({"down"});
    INFO(down.err);
    CHECK(down.exit_code == 0);
    CHECK(run_in_sandbox("docker", {"ps", "-aq", "--filter", "name=clients_web"}).out.empty());
    CHECK(http_get_once(port, "/passwd").empty());
}

TEST_CASE("testcontainers-node starts a container it then talks to, dockerode sees it",
          "[vm][clients]") {
    ensure_vm_running();
    if (!have_program("node", "nodejs, installed by .ci/node-clients"))
        return;
    auto modules = run_in_sandbox(NODE_CLIENTS, {});
    INFO(modules.err);
    REQUIRE(modules.exit_code == 0);
    auto node_path = modules.out.substr(0, modules.out.find('\n'));
    std::vector<std::string> env = {"NODE_PATH=" + node_path, "TESTCONTAINERS_RYUK_DISABLED=true"};
    // On a host that is itself a container (/.dockerenv, as this CI's), testcontainers takes the
    // engine's network gateway for the host its ports are on: right beside a local Docker, but
    // here that gateway is inside the guest. Its documented override names the host instead.
    if (std::filesystem::exists("/.dockerenv"))
        env.push_back("TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1");
    env.insert(env.end(), {"node", TESTCONTAINERS_CLIENT});
    auto client = run_in_sandbox("env", env);
    INFO(client.err);
    CHECK(client.exit_code == 0);
    CHECK(client.out == "dockerode: API 1.41\n"
                        "testcontainers: root over the mapped port\n"
                        "dockerode: lists the container\n"
                        "testcontainers: removed it\n");
}
