// `machine completion bash`, sourced by a real bash and asked as bash asks at <TAB>: verbs, a
// verb's flags, and the names of the machines that exist.
#include "cli_runner.h"
#include "platform/process_runner.h"

#include <catch2/catch.hpp>
#include <filesystem>

using machine::test::CliSandbox;

namespace {

// What bash offers for the words typed so far (the last one being completed).
std::string complete(const CliSandbox &sandbox, const std::string &words) {
    auto bin = std::filesystem::path(MACHINE_BINARY).parent_path().string();
    machine::platform::SpawnProcessRunner runner;
    auto result = runner.run(
        {"bash",
         {"-c", "source <(machine completion bash) && COMP_WORDS=(" + words +
                    ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && { _machine; true; } && "
                    "echo \"${COMPREPLY[*]}\""},
         {{"PATH", bin + ":/usr/bin:/bin"},
          {"XDG_CONFIG_HOME", (sandbox.root() / "config").string()},
          {"XDG_DATA_HOME", (sandbox.root() / "data").string()},
          {"XDG_RUNTIME_DIR", (sandbox.root() / "run").string()},
          {"HOME", (sandbox.root() / "home").string()}}});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

} // namespace

TEST_CASE("bash completes verbs, flags and machine names", "[cli][completion]") {
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "dev"}).exit_code == 0);
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "db"}).exit_code == 0);
    CHECK(complete(sandbox, "machine st") == "start stop\n");
    CHECK(complete(sandbox, "machine start d") == "db dev\n");
    CHECK(complete(sandbox, "machine start --q") == "--quiet\n");
    CHECK(complete(sandbox, "machine ssh d") == "db dev\n");
    CHECK(complete(sandbox, "machine rm -f d") == "db dev\n");
    CHECK(complete(sandbox, "machine init d") == "\n"); // a new name: nothing to offer
    CHECK(complete(sandbox, "machine init --cp") == "--cpus\n");
    CHECK(complete(sandbox, "machine --ver") == "--version\n");
    CHECK(complete(sandbox, "machine __f") == "\n"); // hidden verbs are not offered
}

TEST_CASE("completion for zsh, fish and PowerShell lists the same verbs and refuses another shell",
          "[cli][completion]") {
    CliSandbox sandbox;
    for (const char *shell : {"zsh", "fish", "powershell"}) {
        auto script = sandbox.run({"completion", shell});
        INFO(shell);
        REQUIRE(script.exit_code == 0);
        for (const char *verb : {"init", "start", "stop", "ssh", "completion"})
            CHECK(script.out.find(verb) != std::string::npos);
        CHECK(script.out.find("__forwarder") == std::string::npos);
        CHECK(script.out.find("machine list -q") != std::string::npos);
    }
    auto refused = sandbox.run({"completion", "tcsh"});
    CHECK(refused.exit_code == 125);
    CHECK(refused.err.find("tcsh") != std::string::npos);
}
