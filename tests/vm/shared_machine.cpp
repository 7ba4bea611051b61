#include "shared_machine.h"

#include "../reliability/tally.h"
#include "platform/process_runner.h"

#include <catch2/catch.hpp>
#include <fstream>

namespace machine::test {

CliSandbox &vm_sandbox() {
    static CliSandbox instance;
    return instance;
}

void ensure_vm_running() {
    auto &sandbox = vm_sandbox();
    if (sandbox.run({"inspect", "vm"}).exit_code != 0) {
        auto image = std::string(MACHINE_GUEST_IMAGE);
        REQUIRE(std::filesystem::exists(image)); // built by guest-image/build (tests/run does)
        auto init = sandbox.run({"init", "--image", image, "--cpus", "2", "--memory", "2048",
                                 "--disk-size", "8", "--timezone", "Asia/Tokyo", "vm"});
        INFO(init.err);
        REQUIRE(init.exit_code == 0);
    }
    auto start = sandbox.run({"start", "vm"});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);
}

std::string vm_api_socket(const std::string &machine) {
    return (vm_sandbox().root() / "run" / "machine" / machine / "podman.sock").string();
}

bool have_docker() {
    return have_program("docker", "installed by .ci/clients");
}

std::string read_text(const std::filesystem::path &file) {
    std::ifstream in(file);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

ProcessResult run_in_sandbox(const std::string &program, const std::vector<std::string> &args,
                             const std::string &stdin_text, const std::string &machine) {
    auto &sandbox = vm_sandbox();
    auto input = sandbox.root() / "stdin.txt";
    std::ofstream(input, std::ios::trunc) << stdin_text;
    std::string line = program;
    for (const auto &arg : args)
        line += " " + shell_quote(arg);
    platform::SpawnProcessRunner runner;
    return runner.run({"sh",
                       {"-c", line + " < " + shell_quote(input.string())},
                       {{"XDG_CONFIG_HOME", (sandbox.root() / "config").string()},
                        {"XDG_DATA_HOME", (sandbox.root() / "data").string()},
                        {"XDG_RUNTIME_DIR", (sandbox.root() / "run").string()},
                        {"HOME", (sandbox.root() / "home").string()},
                        {"CONTAINERS_CONF", (sandbox.root() / "containers.conf").string()},
                        {"DOCKER_CONFIG", (sandbox.root() / "docker").string()},
                        {"DOCKER_HOST", "unix://" + vm_api_socket(machine)}}});
}

} // namespace machine::test
