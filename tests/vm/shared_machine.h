#pragma once
// The one machine the real-VM tests share: made and booted on first use, so each test file can
// run alone or in any order, and the boot under software emulation is paid once.
#include "../integration/cli_runner.h"

#include <filesystem>
#include <string>

namespace machine::test {

CliSandbox &vm_sandbox();

// Inits (once) and starts the machine "vm" unless it runs; REQUIREs success.
void ensure_vm_running();

// The host socket a machine's API is forwarded to.
std::string vm_api_socket(const std::string &machine = "vm");

// True if the docker CLI (.ci/clients) is on PATH; otherwise the running test case is recorded as
// skipped, and returns.
bool have_docker();

// A file's text, or "" while there is none (a log not written yet).
std::string read_text(const std::filesystem::path &file);

// Runs a program with the sandbox's environment (XDG dirs, HOME, DOCKER_HOST for `machine`...).
ProcessResult run_in_sandbox(const std::string &program, const std::vector<std::string> &args,
                             const std::string &stdin_text = {}, const std::string &machine = "vm");

} // namespace machine::test
