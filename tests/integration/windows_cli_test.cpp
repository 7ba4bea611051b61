// The real machine.exe (cross-built by `.ci/cross windows`) under Wine: the verbs that need no
// hypervisor, where a Windows user's files go, and the bad inputs, as the Linux CLI tests check
// them. One Wine prefix for the whole program (making one takes seconds).
#include "platform/process_runner.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;
using machine::Command;
using machine::ProcessResult;

namespace {

struct Wine {
    fs::path prefix = fs::path(MACHINE_WINDOWS_BUILD) / "wineprefix-cli";

    // Wine's user folders live in the prefix, under the Linux user's name.
    fs::path profile() const {
        const char *user = std::getenv("USER");
        return prefix / "drive_c" / "users" / (user && *user ? user : "root");
    }
    fs::path roaming() const { return profile() / "AppData" / "Roaming" / "machine"; }
    fs::path local() const { return profile() / "AppData" / "Local" / "machine"; }

    ProcessResult run(const std::vector<std::string> &args) const {
        std::vector<std::string> argv{MACHINE_WINDOWS_BUILD "/machine.exe"};
        argv.insert(argv.end(), args.begin(), args.end());
        // No display, no Mono or Gecko offer, no menu entries for the host.
        Command command{WINE64,
                        argv,
                        {{"WINEPREFIX", prefix.string()},
                         {"WINEDEBUG", "-all"},
                         {"WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d"},
                         {"DISPLAY", ""},
                         {"TZ", "UTC"}}};
        machine::platform::SpawnProcessRunner runner;
        return runner.run(command);
    }

    // What the store holds, as relative paths: to check that a refused command changed nothing.
    std::vector<std::string> store() const {
        std::vector<std::string> found;
        for (auto dir : {roaming(), local()}) {
            std::error_code ec;
            for (const auto &entry : fs::recursive_directory_iterator(dir, ec))
                if (entry.path().string().find("lock") == std::string::npos)
                    found.push_back(fs::relative(entry.path(), profile()).generic_string());
        }
        std::sort(found.begin(), found.end());
        return found;
    }
};

const Wine &wine() {
    static Wine shared;
    return shared;
}

bool one_error_line(const std::string &err) {
    // The Windows C runtime writes "\n" as "\r\n" to a pipe.
    auto text = err;
    std::erase(text, '\r');
    return text.rfind("Error: ", 0) == 0 && text.find('\n') == text.size() - 1;
}

} // namespace

TEST_CASE("machine.exe imports only Windows' own DLLs", "[windows]") {
    machine::platform::SpawnProcessRunner runner;
    auto dump = runner.check(
        {"x86_64-w64-mingw32-objdump", {"-p", MACHINE_WINDOWS_BUILD "/machine.exe"}, {}});
    std::vector<std::string> imports;
    std::istringstream lines(dump.out);
    for (std::string line; std::getline(lines, line);)
        if (auto at = line.find("DLL Name: "); at != std::string::npos)
            imports.push_back(line.substr(at + 10));
    REQUIRE(!imports.empty());
    // Windows' own: the API sets and the system DLLs every Windows 10 has.
    static const std::vector<std::string> system{
        "ADVAPI32.dll", "bcrypt.dll",   "CRYPT32.dll", "IPHLPAPI.DLL", "KERNEL32.dll",
        "msvcrt.dll",   "ntdll.dll",    "ole32.dll",   "Secur32.dll",  "SHELL32.dll",
        "USER32.dll",   "WLDAP32.dll",  "WS2_32.dll",  "Normaliz.dll", "GDI32.dll",
        "RPCRT4.dll",   "OLEAUT32.dll", "USERENV.dll", "SHLWAPI.dll"};
    for (const auto &dll : imports) {
        INFO("imports " << dll);
        bool known = dll.rfind("api-ms-win-", 0) == 0 ||
                     std::any_of(system.begin(), system.end(), [&](const std::string &name) {
                         return std::equal(
                             name.begin(), name.end(), dll.begin(), dll.end(),
                             [](char a, char b) { return std::tolower(a) == std::tolower(b); });
                     });
        CHECK(known);
    }
}

TEST_CASE("machine.exe under wine answers --version, info and an empty list", "[windows]") {
    auto version = wine().run({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.rfind("machine version ", 0) == 0);

    auto info = wine().run({"info", "--format", "json"});
    INFO(info.err);
    REQUIRE(info.exit_code == 0);
    auto facts = nlohmann::json::parse(info.out);
    CHECK(facts["Host"]["OS"] == "windows");
    CHECK(facts["Host"]["Arch"] == "x86_64");
    // As podman keeps them on Windows: configs in the roaming profile, disks in the local one.
    auto config_dir = facts["Host"]["MachineConfigDir"].get<std::string>();
    auto data_dir = facts["Host"]["MachineDataDir"].get<std::string>();
    CHECK(config_dir.find(R"(\AppData\Roaming\machine)") != std::string::npos);
    CHECK(data_dir.find(R"(\AppData\Local\machine)") != std::string::npos);

    auto table = wine().run({"list"});
    CHECK(table.exit_code == 0);
    CHECK(table.out.rfind("NAME", 0) == 0);
    auto json = wine().run({"list", "--format", "json"});
    CHECK(json.exit_code == 0);
    CHECK(nlohmann::json::parse(json.out) == nlohmann::json::array());
    auto quiet = wine().run({"list", "--format", "{{.Name}}"});
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out.empty());
}

TEST_CASE("machine.exe under wine refuses bad input with one line, exit 125, nothing made",
          "[windows]") {
    auto before = wine().store();
    for (const auto &args : std::vector<std::vector<std::string>>{
             {"init", "--", "-dash"},
             {"init", "a/b"},
             {"init", "--cpus", "0", "ok"},
             {"init", "--memory", "12", "ok"},
             {"init", "--disk-size", "0", "ok"},
             {"init", "--provider", "nonesuch", "ok"},
             {"init", "--timezone", "Mars/Olympus", "ok"},
             {"init", "--volume", "relative:/mnt", "ok"},
             {"list", "--format", "yaml"},
             {"inspect", "missing"},
             {"rm", "--force", "missing"},
             {"set", "--cpus", "2", "missing"},
             {"env", "--shell", "powershell", "missing"},
             {"env", "--shell", "tcsh-ish", "missing"},
             {"stop", "missing"},
         }) {
        auto result = wine().run(args);
        INFO(Catch::StringMaker<std::vector<std::string>>::convert(args) << "\n" << result.err);
        CHECK(result.exit_code == 125);
        CHECK(one_error_line(result.err));
        CHECK(wine().store() == before);
    }
}
