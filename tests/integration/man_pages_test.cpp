// The man pages `machine __man DIR` writes from the CLI's definitions: one per visible verb plus
// machine(1), each formatted by man(1) without a warning, naming the verb's flags.
#include "cli_runner.h"
#include "platform/process_runner.h"

#include <catch2/catch.hpp>
#include <filesystem>

using machine::test::CliSandbox;

TEST_CASE("a man page per verb, formatted by man without a warning", "[cli][man]") {
    CliSandbox sandbox;
    auto folder = sandbox.root() / "man";
    REQUIRE(sandbox.run({"__man", folder.string()}).exit_code == 0);
    for (const char *verb : {"init", "list", "inspect", "rm", "set", "info", "start", "stop", "ssh",
                             "cp", "reset", "env", "completion"})
        CHECK(std::filesystem::exists(folder / (std::string("machine-") + verb + ".1")));
    CHECK_FALSE(std::filesystem::exists(folder / "machine-__forwarder.1"));

    machine::platform::SpawnProcessRunner runner;
    auto format = [&](const std::string &page) {
        auto result = runner.run({"man",
                                  {"--warnings", "-E", "UTF-8", "-l", (folder / page).string()},
                                  {{"MANWIDTH", "100"}, {"PATH", "/usr/bin:/bin"}}});
        INFO(page << ": " << result.err);
        CHECK(result.exit_code == 0);
        CHECK(result.err.empty());
        return result.out;
    };
    auto init = format("machine-init.1");
    for (const char *text : {"machine-init", "--cpus", "--connect", "--volume", "SYNOPSIS"})
        CHECK(init.find(text) != std::string::npos);
    auto main_page = format("machine.1");
    CHECK(main_page.find("machine-start(1)") != std::string::npos);
    CHECK(format("machine-ssh.1").find("--username") != std::string::npos);
}
