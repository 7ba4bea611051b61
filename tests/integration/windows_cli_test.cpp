// The real machine.exe (cross-built by `.ci/cross windows`) under Wine: where a Windows user's
// files go, the bad inputs as the Linux CLI tests check them, and the lifecycle on provider hyperv
// with the fake powershell.exe (tests/windows/fake_powershell.cpp) beside a copy of machine.exe,
// where Windows looks for a program first. One Wine prefix for the whole program (making one
// takes seconds).
#include "platform/process_runner.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using machine::Command;
using machine::ProcessResult;

namespace {

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

struct Wine {
    fs::path prefix = fs::path(MACHINE_WINDOWS_BUILD) / "wineprefix-cli";
    // machine.exe with the fake powershell.exe beside it (copied once per test program).
    fs::path bin = fs::path(MACHINE_WINDOWS_BUILD) / "wine-cli-bin";

    // The fake wsl.exe, in a folder of its own that only the WSL tests put on Wine's PATH.
    fs::path wsl_bin = fs::path(MACHINE_WINDOWS_BUILD) / "wine-cli-wsl";

    Wine() {
        fs::create_directories(bin);
        fs::create_directories(wsl_bin);
        for (auto [from, to] : {std::pair{"machine.exe", bin / "machine.exe"},
                                std::pair{"tests/windows/powershell.exe", bin / "powershell.exe"},
                                std::pair{"tests/windows/wsl.exe", wsl_bin / "wsl.exe"}})
            fs::copy_file(fs::path(MACHINE_WINDOWS_BUILD) / from, to,
                          fs::copy_options::overwrite_existing);
    }

    // Wine adds $WINEPATH to the PATH its programs see.
    std::map<std::string, std::string> with_wsl() const {
        return {{"WINEPATH", windows_path(wsl_bin)}};
    }

    // Wine's user folders live in the prefix, under the Linux user's name.
    fs::path profile() const {
        const char *user = std::getenv("USER");
        return prefix / "drive_c" / "users" / (user && *user ? user : "root");
    }
    fs::path roaming() const { return profile() / "AppData" / "Roaming" / "machine"; }
    fs::path local() const { return profile() / "AppData" / "Local" / "machine"; }

    ProcessResult run(const std::vector<std::string> &args,
                      const std::map<std::string, std::string> &env = {}) const {
        std::vector<std::string> argv{(bin / "machine.exe").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        // No display, no Mono or Gecko offer, no menu entries for the host.
        Command command{WINE64,
                        argv,
                        {{"WINEPREFIX", prefix.string()},
                         {"WINEDEBUG", "-all"},
                         {"WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d"},
                         {"DISPLAY", ""},
                         {"TZ", "UTC"}}};
        command.env.insert(env.begin(), env.end());
        machine::platform::SpawnProcessRunner runner;
        auto result = runner.run(command);
        // The Windows C runtime writes "\n" as "\r\n" to a pipe.
        std::erase(result.out, '\r');
        return result;
    }

    // A Linux path as Wine's programs see it: drive Z: is the root.
    static std::string windows_path(const fs::path &path) {
        auto text = "Z:" + path.string();
        std::replace(text.begin(), text.end(), '/', '\\');
        return text;
    }

    // No machines, and a Hyper-V with no VMs, for a test that needs a clean start.
    void forget_everything() const {
        fs::remove_all(roaming());
        fs::remove_all(local());
        fs::remove(bin / "fake-hyperv.json");
        fs::remove(bin / "fake-powershell.log");
        fs::remove(wsl_bin / "fake-wsl.json");
        fs::remove(wsl_bin / "fake-wsl.log");
    }

    nlohmann::json wsl() const {
        std::ifstream in(wsl_bin / "fake-wsl.json");
        return nlohmann::json::parse(in);
    }

    // Each run of wsl.exe, as {"argv": [...], "stdin": "...", "WSL_UTF8": "..."}.
    std::vector<nlohmann::json> wsl_runs() const {
        std::vector<nlohmann::json> runs;
        std::ifstream in(wsl_bin / "fake-wsl.log");
        for (std::string line; std::getline(in, line);)
            runs.push_back(nlohmann::json::parse(line));
        return runs;
    }

    nlohmann::json hyperv() const {
        std::ifstream in(bin / "fake-hyperv.json");
        return nlohmann::json::parse(in);
    }

    // Each script powershell.exe was given, as {"argv": [...], "stdin": "..."}.
    std::vector<nlohmann::json> powershell_runs() const {
        std::vector<nlohmann::json> runs;
        std::ifstream in(bin / "fake-powershell.log");
        for (std::string line; std::getline(in, line);)
            runs.push_back(nlohmann::json::parse(line));
        return runs;
    }

    // The scripts of one step ("create VM", "resize disk", ...).
    std::vector<std::string> scripts(const std::string &step) const {
        std::vector<std::string> found;
        for (const auto &run : powershell_runs()) {
            auto script = run["stdin"].get<std::string>();
            if (script.rfind("# machine: " + step + "\n", 0) == 0)
                found.push_back(script);
        }
        return found;
    }

    // What the store holds, as relative paths: to check that a refused command changed nothing.
    std::vector<std::string> store() const {
        std::vector<std::string> found;
        for (auto dir : {roaming(), local()}) {
            std::error_code ec;
            for (const auto &entry : fs::recursive_directory_iterator(dir, ec))
                if (auto path = entry.path().generic_string(); !contains(path, "/locks") &&
                                                               !contains(path, ".index.json") &&
                                                               !contains(path, "images/cache"))
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

// A dynamic VHDX as the guest image build makes, of `gib` GiB, made once by the real qemu-img.
std::string vhdx_image(int gib) {
    auto disk =
        fs::path(MACHINE_WINDOWS_BUILD) / ("wine-cli-image-" + std::to_string(gib) + ".vhdx");
    if (!fs::exists(disk))
        machine::platform::SpawnProcessRunner().check(
            {"qemu-img",
             {"create", "-q", "-f", "vhdx", disk.string(), std::to_string(gib) + "G"},
             {}});
    return Wine::windows_path(disk);
}

// A root filesystem tarball as WSL imports one (the guest image's rootfs.tar, in miniature).
std::string rootfs_tar() {
    auto folder = fs::path(MACHINE_WINDOWS_BUILD) / "wine-cli-rootfs";
    auto tar = fs::path(MACHINE_WINDOWS_BUILD) / "wine-cli-rootfs.tar";
    if (!fs::exists(tar)) {
        fs::create_directories(folder / "etc");
        std::ofstream(folder / "etc" / "os-release") << "ID=debian\n";
        machine::platform::SpawnProcessRunner().check(
            {"tar", {"--format=ustar", "-cf", tar.string(), "-C", folder.string(), "."}, {}});
    }
    return Wine::windows_path(tar);
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
    wine().forget_everything();
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
    wine().forget_everything();
    REQUIRE(wine().run({"init", "--image", vhdx_image(2), "m"}).exit_code == 0);
    auto broken = fs::path(MACHINE_WINDOWS_BUILD) / "wine-cli-broken.vhdx";
    std::ofstream(broken) << "vhdxfile and nothing else";
    auto store = wine().store();
    auto vms = wine().hyperv();
    for (const auto &args : std::vector<std::vector<std::string>>{
             {"init", "--", "-dash"},
             {"init", "a/b"},
             {"init", "--cpus", "0", "ok"},
             {"init", "--memory", "12", "ok"},
             {"init", "--disk-size", "0", "ok"},
             {"init", "--provider", "nonesuch", "ok"},
             {"init", "--timezone", "Mars/Olympus", "ok"},
             {"init", "--volume", "relative:/mnt", "ok"},
             {"init", "--image", Wine::windows_path(broken), "ok"},
             {"init", "--image", R"(Z:\no\such\disk.vhdx)", "ok"},
             {"init", "--image", vhdx_image(2), "--disk-size", "1", "ok"},
             {"init", "--image", vhdx_image(2), "m"},
             {"list", "--format", "{{.NoSuchField}}"},
             {"list", "--format", "{{.Name"},
             {"inspect", "missing"},
             {"rm", "--force", "missing"},
             {"set", "--cpus", "2", "missing"},
             {"set", "--cpus", "0", "m"},
             {"set", "--memory", "1", "m"},
             {"set", "--disk-size", "1", "m"},
             {"env", "--shell", "powershell", "missing"},
             {"env", "--shell", "tcsh-ish", "m"},
             {"start", "missing"},
             {"stop", "missing"},
         }) {
        auto result = wine().run(args);
        INFO(Catch::StringMaker<std::vector<std::string>>::convert(args) << "\n" << result.err);
        CHECK(result.exit_code == 125);
        CHECK(one_error_line(result.err));
        CHECK(wine().store() == store);
        CHECK(wine().hyperv() == vms); // no VM made, changed or removed
    }
}

TEST_CASE("machine.exe under wine picks hyperv by default where WSL is missing, and says why",
          "[windows]") {
    wine().forget_everything();
    auto info = wine().run({"info", "--format", "json"});
    INFO(info.err);
    REQUIRE(info.exit_code == 0);
    auto host = nlohmann::json::parse(info.out)["Host"];
    CHECK(host["VMType"] == "hyperv");
    CHECK(host["VMTypeReason"] == "the first of wsl, hyperv, qemu that this host can run (wsl: WSL "
                                  "is not installed here: no wsl.exe on PATH)");
    // Hyper-V's own check ran through powershell.exe, as the real one takes a script.
    auto runs = wine().powershell_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["argv"] == nlohmann::json{"-NoProfile", "-NonInteractive", "-ExecutionPolicy",
                                            "Bypass", "-Command", "-"});
    CHECK(runs[0]["stdin"].get<std::string>().rfind("# machine: check host\n", 0) == 0);

    auto forced = wine().run({"info", "--format", "{{.Host.VMType}} / {{.Host.VMTypeReason}}"},
                             {{"MACHINE_PROVIDER", "qemu"}});
    CHECK(forced.out == "qemu / MACHINE_PROVIDER is set\n");
}

TEST_CASE("machine.exe under wine: init, list, inspect, set, env, start, rm on hyperv",
          "[windows]") {
    wine().forget_everything();
    auto init = wine().run({"init", "--image", vhdx_image(2), "--cpus", "2", "--memory", "2048",
                            "--disk-size", "4", "wm"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    // Nothing but our own lines on stderr: libgcrypt's notes (its entropy gatherer asks for
    // `diskperf -y` where Wine has no disk counters) are kept off it.
    CHECK_FALSE(contains(init.err, "diskperf"));
    // As podman keeps them on Windows: the config roaming, the disk local.
    CHECK(fs::exists(wine().roaming() / "machines"));
    CHECK(fs::exists(wine().local() / "machines" / "wm" / "disk.vhdx"));
    auto created = wine().scripts("create VM");
    REQUIRE(created.size() == 1);
    CHECK(contains(created[0], "New-VM -Name 'machine-wm' -Generation 2 -MemoryStartupBytes "
                               "2147483648 -NoVHD"));
    CHECK(contains(created[0], "Set-VMProcessor -VM $vm -Count 2"));
    CHECK(contains(created[0], "Set-VMMemory -VM $vm -DynamicMemoryEnabled $false"));
    CHECK(contains(created[0], "Set-VMFirmware -VM $vm -EnableSecureBoot Off"));
    auto vms = wine().hyperv()["vms"];
    REQUIRE(vms.size() == 1);
    auto vm_id = vms.begin().key();
    CHECK(vms[vm_id]["name"] == "machine-wm");

    auto listed = nlohmann::json::parse(wine().run({"list", "--format", "json"}).out);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["Name"] == "wm");
    CHECK(listed[0]["VMType"] == "hyperv");
    CHECK(listed[0]["Running"] == false);
    CHECK(wine().run({"list", "--format", "{{.Name}} {{.VMType}} {{.CPUs}}"}).out ==
          "wm hyperv 2\n");
    auto table = wine().run({"list"}).out;
    CHECK(contains(table, "NAME"));
    CHECK(contains(table, "wm"));

    auto inspect = wine().run({"inspect", "wm"});
    REQUIRE(inspect.exit_code == 0);
    auto facts = nlohmann::json::parse(inspect.out)[0];
    CHECK(facts["State"] == "stopped");
    CHECK(facts["Resources"]["CPUs"] == 2);
    CHECK(facts["Resources"]["Memory"] == 2048);
    CHECK(facts["Image"]["Format"] == "vhdx");
    CHECK(facts["ConnectionInfo"]["PodmanPipe"]["Path"] == R"(\\.\pipe\machine-wm)");

    auto set = wine().run({"set", "--cpus", "1", "--disk-size", "6", "wm"});
    INFO(set.err);
    CHECK(set.exit_code == 0);
    auto resized = wine().scripts("resize disk");
    REQUIRE(resized.size() == 1);
    CHECK(contains(resized[0], "6442450944"));
    auto after = nlohmann::json::parse(wine().run({"inspect", "wm"}).out)[0];
    CHECK(after["Resources"]["CPUs"] == 1);
    CHECK(after["Resources"]["DiskSize"] == 6);

    CHECK(wine().run({"env", "--shell", "powershell", "wm"}).out ==
          "$Env:DOCKER_HOST = \"npipe:////./pipe/machine-wm\"\n"
          "$Env:CONTAINER_HOST = \"npipe:////./pipe/machine-wm\"\n");
    CHECK(wine().run({"env", "--shell", "cmd", "wm"}).out ==
          "SET DOCKER_HOST=npipe:////./pipe/machine-wm\n"
          "SET CONTAINER_HOST=npipe:////./pipe/machine-wm\n");
    CHECK(wine().run({"env", "wm"}).out.rfind("$Env:DOCKER_HOST = ", 0) == 0); // Windows' default

    // Start: the hvsock services are registered once, with the notice first; then Wine, which has
    // no hvsock, stops it with one line, and the machine is left as it was: stopped.
    auto start = wine().run({"start", "wm"});
    INFO(start.out << start.err);
    CHECK(start.exit_code != 0);
    auto err = start.err;
    std::erase(err, '\r');
    auto last = err.substr(err.rfind('\n', err.size() - 2) + 1);
    CHECK(last.rfind("Error: this system has no Hyper-V sockets (AF_HYPERV)", 0) == 0);
    CHECK(err.find("Error: ") == err.rfind("Error: ")); // one error, after the notice
    CHECK(contains(err, "Warning: Hyper-V lets a guest talk to this host only over services "
                        "listed in the registry"));
    CHECK(wine().scripts("register hvsock services as administrator").size() == 1);
    CHECK(wine().hyperv()["services_registered"] == true);
    CHECK(wine().hyperv()["vms"][vm_id]["state"] == "Off");
    CHECK(nlohmann::json::parse(wine().run({"inspect", "wm"}).out)[0]["State"] == "stopped");

    auto rm = wine().run({"rm", "--force", "wm"});
    INFO(rm.err);
    CHECK(rm.exit_code == 0);
    CHECK(wine().hyperv()["vms"].empty());
    CHECK_FALSE(fs::exists(wine().local() / "machines" / "wm"));
    CHECK(nlohmann::json::parse(wine().run({"list", "--format", "json"}).out).empty());
}

TEST_CASE("machine.exe under wine: reset removes every machine and its Hyper-V VM", "[windows]") {
    wine().forget_everything();
    for (std::string name : {"r1", "r2"})
        REQUIRE(wine().run({"init", "--image", vhdx_image(2), name}).exit_code == 0);
    REQUIRE(wine().hyperv()["vms"].size() == 2);
    auto reset = wine().run({"reset", "--force"});
    INFO(reset.err);
    CHECK(reset.exit_code == 0);
    CHECK(wine().hyperv()["vms"].empty());
    CHECK(wine().run({"list", "--quiet"}).out.empty());
}

TEST_CASE("machine.exe under wine: a second init waits for the lock the first holds (LockFileEx)",
          "[windows]") {
    wine().forget_everything();
    // The first pauses 6 s holding the machine's lock; the second, started once the lock file is
    // there, must wait for it and then find the machine made. Without the lock both would go
    // ahead at once.
    auto image = vhdx_image(2);
    auto slow = std::async(std::launch::async, [&] {
        return wine().run(
            {"init", "--image", image, "held"},
            {{"MACHINE_TEST_SLEEP_AT", "init:locked"}, {"MACHINE_TEST_SLEEP_MS", "6000"}});
    });
    auto lock = wine().roaming() / "locks" / "held.lock";
    for (int i = 0; i < 300 && !fs::exists(lock); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(fs::exists(lock));
    auto fast = wine().run({"init", "--image", image, "held"});
    auto first = slow.get();
    INFO(first.err << " / " << fast.err);
    CHECK(first.exit_code == 0);
    CHECK(fast.exit_code == 125);
    CHECK(contains(fast.err, "already exists"));
    CHECK(wine().hyperv()["vms"].size() == 1);
}

TEST_CASE("machine.exe under wine with wsl.exe on PATH: WSL by default; init, set, start, rm",
          "[windows]") {
    wine().forget_everything();
    auto env = wine().with_wsl();
    auto info = wine().run({"info", "--format", "{{.Host.VMType}} / {{.Host.VMTypeReason}}"}, env);
    CHECK(info.out == "wsl / the first of wsl, hyperv, qemu that this host can run\n");

    auto init = wine().run({"init", "--image", rootfs_tar(), "ws"}, env);
    INFO(init.out << init.err);
    REQUIRE(init.exit_code == 0);
    auto distributions = wine().wsl()["distributions"];
    REQUIRE(distributions.contains("machine-ws"));
    CHECK(distributions["machine-ws"]["state"] == "Stopped"); // init leaves it stopped
    auto runs = wine().wsl_runs();
    REQUIRE(!runs.empty());
    bool imported = false, configured = false, provisioned = false;
    for (const auto &run : runs) {
        CHECK(run["WSL_UTF8"] == "1");
        auto argv = run["argv"];
        if (argv[0] == "--import") {
            imported = true;
            CHECK(argv[1] == "machine-ws");
            CHECK(argv[4] == "--version");
            CHECK(argv[5] == "2");
        }
        if (argv.size() > 6 && argv[5] == "/bin/sh") {
            configured = true;
            CHECK(contains(run["stdin"], "systemd=true"));
        }
        if (argv.size() > 5 && argv[5] == "/usr/local/bin/machine-agent") {
            provisioned = true;
            CHECK(contains(run["stdin"], "\"ignition\""));
        }
    }
    CHECK(imported);
    CHECK(configured);
    CHECK(provisioned);
    CHECK(wine().run({"list", "--format", "{{.Name}} {{.VMType}}"}, env).out == "ws wsl\n");

    // WSL keeps CPUs, memory and disk for all its distributions at once.
    auto set = wine().run({"set", "--cpus", "1", "ws"}, env);
    CHECK(set.exit_code == 125);
    CHECK(one_error_line(set.err));
    CHECK(contains(set.err, "--cpus: provider wsl cannot change CPUs, memory or disk size per "
                            "machine; it sets them for all at once"));

    // Start: the distribution boots and the agent says Ready; the forwarder's unix socket is
    // where Wine (no AF_UNIX) stops it, with one line, and the machine is stopped again.
    auto start = wine().run({"start", "ws"}, env);
    INFO(start.out << start.err);
    CHECK(start.exit_code != 0);
    auto err = start.err;
    std::erase(err, '\r');
    CHECK(contains(err, "ws: booting"));
    CHECK(contains(err, "Error: the API forwarder did not start"));
    CHECK(err.find("Error: ") == err.rfind("Error: "));
    std::ifstream log(wine().local() / "machines" / "ws" / "forwarder.log");
    std::stringstream forwarder;
    forwarder << log.rdbuf();
    CHECK(contains(forwarder.str(), "this system has no AF_UNIX"));
    CHECK(wine().wsl()["distributions"]["machine-ws"]["state"] == "Stopped");
    CHECK(nlohmann::json::parse(wine().run({"inspect", "ws"}, env).out)[0]["State"] == "stopped");

    auto rm = wine().run({"rm", "--force", "ws"}, env);
    INFO(rm.err);
    CHECK(rm.exit_code == 0);
    CHECK(wine().wsl()["distributions"].empty());
    CHECK(wine().run({"list", "--quiet"}, env).out.empty());
}
