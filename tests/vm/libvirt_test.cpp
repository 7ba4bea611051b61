// The libvirt provider on the real libvirtd that .ci/libvirtd starts, booting the guest image
// under QEMU through it, driven through the `machine` binary like a user: on qemu:///system the
// docker CLI through the forwarded API socket, a published port, a shared folder over virtiofs,
// and the faults (the CLI killed during start, libvirtd restarted under a running machine, QEMU
// killed from outside, its base images deleted from the pool and uploaded again by start, and
// pruned by rm); on qemu:///session a boot to a container and back; on qemu+ssh:// (this
// host's libvirtd through an sshd of the test's own, as another user) the API, SSH and a port
// here, and the link to that host lost and found again.
#include "../integration/cli_runner.h"
#include "platform/host.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

using machine::test::CliSandbox;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> on(const std::string &uri) {
    return {{"MACHINE_PROVIDER", "libvirt"}, {"MACHINE_LIBVIRT_URI", uri}};
}

// Runs `program` with the sandbox's environment, as a user who has run `machine start` would.
machine::ProcessResult in_sandbox(const CliSandbox &sandbox, const std::string &program,
                                  const std::vector<std::string> &args,
                                  const std::string &machine_name) {
    machine::platform::SpawnProcessRunner runner;
    return runner.run(
        {program,
         args,
         {{"XDG_CONFIG_HOME", (sandbox.root() / "config").string()},
          {"XDG_DATA_HOME", (sandbox.root() / "data").string()},
          {"XDG_RUNTIME_DIR", (sandbox.root() / "run").string()},
          {"HOME", (sandbox.root() / "home").string()},
          {"DOCKER_CONFIG", (sandbox.root() / "docker").string()},
          {"DOCKER_HOST",
           "unix://" +
               (sandbox.root() / "run" / "machine" / machine_name / "podman.sock").string()}}});
}

std::string state(const CliSandbox &sandbox, const std::string &name, const std::string &uri) {
    return sandbox.run({"inspect", "--format", "{{.State}}", name}, on(uri)).out;
}

bool libvirtd_answers() {
    machine::platform::SpawnProcessRunner runner;
    return runner.run({"virsh", {"-q", "-c", "qemu:///system", "version"}, {}}).exit_code == 0;
}

int qemu_pid(const std::string &domain) {
    std::ifstream in("/run/libvirt/qemu/" + domain + ".pid");
    int pid = 0;
    in >> pid;
    return pid;
}

// The base images in our pool there (the disk, kernel and initrd of each image, by digest).
std::set<std::string> base_volumes(const std::string &uri) {
    machine::platform::SpawnProcessRunner runner;
    auto listed = runner.run({"virsh", {"-q", "-c", uri, "vol-list", "machine"}, {}});
    std::set<std::string> bases;
    std::istringstream lines(listed.out); // " NAME   PATH" (libvirt 9.0's virsh has no --name)
    for (std::string line; std::getline(lines, line);) {
        std::string name;
        std::istringstream(line) >> name;
        if (name.rfind("machine-sha256-", 0) == 0)
            bases.insert(name);
    }
    return bases;
}

// The names the sandbox's machines' base images have as volumes: its image cache's files. (On a
// host that ran older builds, the pool may hold these already, left by them.)
std::set<std::string> own_bases(const CliSandbox &sandbox) {
    std::set<std::string> bases;
    for (const auto &file : fs::directory_iterator(sandbox.data_dir() / "images" / "cache"))
        if (file.path().filename().string().rfind("sha256-", 0) == 0)
            bases.insert("machine-" + file.path().filename().string());
    return bases;
}

bool all_in(const std::set<std::string> &some, const std::set<std::string> &all) {
    return std::includes(all.begin(), all.end(), some.begin(), some.end());
}

bool none_in(const std::set<std::string> &some, const std::set<std::string> &all) {
    return std::none_of(some.begin(), some.end(),
                        [&](const std::string &name) { return all.count(name); });
}

// GET http://127.0.0.1:PORT/PATH with curl, retried while the forward is being set up.
std::string http_get(int port, const std::string &path) {
    machine::platform::SpawnProcessRunner runner;
    for (int i = 0; i < 60; ++i) {
        auto got = runner.run(
            {"curl",
             {"-fsS", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + path},
             {}});
        if (got.exit_code == 0)
            return got.out;
        std::this_thread::sleep_for(500ms);
    }
    return {};
}

// What the forwarder said about the ports it was told of: shown when a port never answers.
std::string forwarder_log(const CliSandbox &sandbox, const std::string &name) {
    std::ifstream in(sandbox.data_dir() / "machines" / name / "forwarder.log");
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST_CASE("libvirt, qemu:///system: a machine boots, serves the API, a port and a folder, and "
          "survives the faults",
          "[vm][libvirt]") {
    const std::string uri = "qemu:///system";
    CliSandbox sandbox;
    auto shared = sandbox.root() / "shared";
    fs::create_directories(shared);
    std::ofstream(shared / "hello.txt") << "from the host\n";
    auto init = sandbox.run({"init", "--image", MACHINE_GUEST_IMAGE, "--cpus", "2", "-v",
                             shared.string() + ":/mnt/shared", "lv"},
                            on(uri));
    REQUIRE(init.exit_code == 0);
    INFO("init: " << init.err);

    // The CLI killed while QEMU boots: the machine runs on, and `start` finishes the job.
    machine::platform::SpawnProcessRunner runner;
    auto killed = in_sandbox(sandbox, "sh",
                             {"-c", "MACHINE_PROVIDER=libvirt timeout -s KILL 6 " +
                                        std::string(MACHINE_BINARY) + " start lv"},
                             "lv");
    CHECK(killed.exit_code == 137);
    auto start = sandbox.run({"start", "lv"}, on(uri));
    REQUIRE(start.exit_code == 0);
    CHECK(state(sandbox, "lv", uri) == "running\n");
    auto info = nlohmann::json::parse(sandbox.run({"info", "--format", "json"}, on(uri)).out);
    CHECK(info["Host"]["Libvirt"].get<std::string>().find("9.") == 0);
    CHECK(info["Host"]["Hypervisor"].get<std::string>().find("QEMU ") == 0);

    // The docker CLI through the forwarded socket; the folder in a container, over virtiofs.
    auto hello = in_sandbox(
        sandbox, "docker",
        {"run", "--rm", "-v", "/mnt/shared:/s", "localhost/busybox", "cat", "/s/hello.txt"}, "lv");
    CHECK(hello.out == "from the host\n");
    CHECK(in_sandbox(sandbox, "docker", {"info", "--format", "{{.OperatingSystem}}"}, "lv")
              .exit_code == 0);
    auto mounted =
        sandbox.run({"ssh", "lv", "--", "findmnt", "-n", "-o", "FSTYPE", "/mnt/shared"}, on(uri));
    CHECK(mounted.out == "virtiofs\n");

    // A published port, reachable on the host's loopback.
    // Ports no other program holds, on either loopback address: one taken on ::1 refuses the
    // publication whole.
    int port = machine::platform::free_loopback_port();
    int second_port = machine::platform::free_loopback_port();
    REQUIRE(in_sandbox(sandbox, "docker",
                       {"run", "-d", "--name", "web", "-p", std::to_string(port) + ":80", "-v",
                        "/mnt/shared:/www", "localhost/busybox", "httpd", "-f", "-p", "80", "-h",
                        "/www"},
                       "lv")
                .exit_code == 0);
    auto page = http_get(port, "/hello.txt");
    INFO("forwarder: " << forwarder_log(sandbox, "lv"));
    CHECK(page == "from the host\n");

    // libvirtd restarted under it: the machine runs on, and `list` still tells the truth.
    REQUIRE(runner.run({"pkill", {"-x", "libvirtd"}, {}}).exit_code == 0);
    for (int i = 0; i < 50 && libvirtd_answers(); ++i)
        std::this_thread::sleep_for(100ms);
    REQUIRE(runner.run({"libvirtd", {"-d"}, {}}).exit_code == 0);
    for (int i = 0; i < 100 && !libvirtd_answers(); ++i)
        std::this_thread::sleep_for(100ms);
    auto listed = nlohmann::json::parse(sandbox.run({"list", "--format", "json"}, on(uri)).out);
    CHECK(listed[0]["Running"] == true);
    CHECK(http_get(port, "/hello.txt") == "from the host\n");
    // and a port published after it is forwarded too (over a new libvirt connection)
    REQUIRE(in_sandbox(sandbox, "docker",
                       {"run", "-d", "--name", "web2", "-p", std::to_string(second_port) + ":80",
                        "-v", "/mnt/shared:/www", "localhost/busybox", "httpd", "-f", "-p", "80",
                        "-h", "/www"},
                       "lv")
                .exit_code == 0);
    CHECK(http_get(second_port, "/hello.txt") == "from the host\n");

    // QEMU killed from outside: stopped, and it starts again.
    int pid = qemu_pid("machine-lv");
    REQUIRE(pid > 0);
    ::kill(pid, SIGKILL);
    for (int i = 0; i < 50 && machine::platform::process_alive(pid); ++i)
        std::this_thread::sleep_for(100ms);
    for (int i = 0; i < 50 && state(sandbox, "lv", uri) != "stopped\n"; ++i)
        std::this_thread::sleep_for(100ms);
    CHECK(state(sandbox, "lv", uri) == "stopped\n");
    listed = nlohmann::json::parse(sandbox.run({"list", "--format", "json"}, on(uri)).out);
    CHECK(listed[0]["Running"] == false);
    // Its base images deleted from the pool meanwhile (as another client's rm may, racing this
    // machine's init): start uploads them again from the image cache.
    auto bases = own_bases(sandbox);
    CHECK(bases.size() == 3); // the disk, the kernel and the initrd
    REQUIRE(all_in(bases, base_volumes(uri)));
    for (const auto &base : bases)
        REQUIRE(runner.run({"virsh", {"-c", uri, "vol-delete", "--pool", "machine", base}, {}})
                    .exit_code == 0);
    REQUIRE(none_in(bases, base_volumes(uri)));
    REQUIRE(sandbox.run({"start", "lv"}, on(uri)).exit_code == 0);
    CHECK(all_in(bases, base_volumes(uri)));
    CHECK(sandbox.run({"ssh", "lv", "--", "cat", "/mnt/shared/hello.txt"}, on(uri)).out ==
          "from the host\n");

    // Stopped by ACPI, then removed with its domain and volumes.
    CHECK(sandbox.run({"stop", "lv"}, on(uri)).exit_code == 0);
    CHECK(state(sandbox, "lv", uri) == "stopped\n");
    CHECK(sandbox.run({"rm", "-f", "lv"}, on(uri)).exit_code == 0);
    CHECK(runner.run({"virsh", {"-c", uri, "dominfo", "machine-lv"}, {}}).exit_code != 0);
    CHECK(
        runner.run({"virsh", {"-c", uri, "vol-info", "--pool", "machine", "machine-lv.qcow2"}, {}})
            .exit_code != 0);
    // and its base images, which no other machine stands on
    CHECK(none_in(bases, base_volumes(uri)));
}

TEST_CASE("libvirt, qemu:///session: a machine boots to a container and is removed",
          "[vm][libvirt]") {
    const std::string uri = "qemu:///session";
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", MACHINE_GUEST_IMAGE, "ls"}, on(uri)).exit_code == 0);
    auto start = sandbox.run({"start", "ls"}, on(uri));
    INFO("start: " << start.err);
    REQUIRE(start.exit_code == 0);
    CHECK(in_sandbox(sandbox, "docker", {"run", "--rm", "localhost/busybox", "echo", "ok"}, "ls")
              .out == "ok\n");
    CHECK(sandbox.run({"stop", "ls"}, on(uri)).exit_code == 0);
    CHECK(state(sandbox, "ls", uri) == "stopped\n");
    CHECK(sandbox.run({"rm", "-f", "ls"}, on(uri)).exit_code == 0);
}

TEST_CASE("libvirt, qemu+ssh://: a machine on another host (this one, through an sshd of its own "
          "as another user) is used from here",
          "[vm][libvirt]") {
    CliSandbox sandbox;
    machine::platform::SpawnProcessRunner runner;
    auto host = (sandbox.root() / "remote-host").string();
    int ssh_port = machine::platform::free_loopback_port();
    auto remote_host = [&](const std::vector<std::string> &args) {
        auto result = runner.run({MACHINE_REMOTE_HOST, args, {}});
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
    };
    remote_host({"start", host, std::to_string(ssh_port)});
    struct StopHost {
        std::function<void()> stop;
        ~StopHost() { stop(); }
    } stop_host{[&] { runner.run({MACHINE_REMOTE_HOST, {"stop", host}, {}}); }};
    auto at = "machine-remote@127.0.0.1:" + std::to_string(ssh_port);
    auto uri = "qemu+ssh://" + at + "/system?keyfile=" + host + "/id_ed25519";
    const std::map<std::string, std::string> env = {{"MACHINE_PROVIDER", "libvirt"}};

    // Only a system instance over there, and no host folders: refused, nothing made.
    auto session = sandbox.run({"init", "--image", MACHINE_GUEST_IMAGE, "--connect",
                                "qemu+ssh://" + at + "/session", "rs"},
                               env);
    CHECK(session.exit_code == 125);
    CHECK(session.err.find("--connect") != std::string::npos);
    auto folder = sandbox.run(
        {"init", "--image", MACHINE_GUEST_IMAGE, "--connect", uri, "-v", "/tmp:/mnt/tmp", "rs"},
        env);
    CHECK(folder.exit_code == 125);
    CHECK(nlohmann::json::parse(sandbox.run({"list", "--format", "json"}, env).out).empty());

    auto init = sandbox.run({"init", "--image", MACHINE_GUEST_IMAGE, "--connect", uri, "rm"}, env);
    INFO("init: " << init.err);
    REQUIRE(init.exit_code == 0);
    CHECK(runner.run({"virsh", {"-c", "qemu:///system", "dominfo", "machine-rm"}, {}}).exit_code ==
          0);
    auto start = sandbox.run({"start", "rm"}, env);
    INFO("start: " << start.err);
    REQUIRE(start.exit_code == 0);

    // The API socket, SSH and a published port are here, carried over machine-mux, whose
    // channel comes through libvirt's connection (the SSH login to the host).
    auto first =
        in_sandbox(sandbox, "docker", {"run", "--rm", "localhost/busybox", "echo", "ok"}, "rm");
    INFO("docker run: " << first.err);
    CHECK(first.out == "ok\n");
    CHECK(sandbox.run({"ssh", "rm", "--", "uname", "-s"}, env).out == "Linux\n");
    int port = machine::platform::free_loopback_port();
    REQUIRE(in_sandbox(sandbox, "docker",
                       {"run", "-d", "--name", "web", "-p", std::to_string(port) + ":80",
                        "localhost/busybox", "httpd", "-f", "-p", "80", "-h", "/etc"},
                       "rm")
                .exit_code == 0);
    auto passwd = http_get(port, "/passwd");
    INFO("forwarder: " << forwarder_log(sandbox, "rm"));
    CHECK(passwd.find("root:") == 0);

    // The link to the host lost (its sshd and every session gone): one clear line, and the
    // local record stays as it was.
    auto config = sandbox.run({"inspect", "rm"}, env).out;
    remote_host({"stop", host});
    auto lost = sandbox.run({"start", "rm"}, env);
    CHECK(lost.exit_code != 0);
    CHECK(lost.err.find(at) != std::string::npos);
    CHECK(std::count(lost.err.begin(), lost.err.end(), '\n') == 1);
    auto listed = sandbox.run({"list", "--format", "json"}, env);
    CHECK(listed.err.find(at) != std::string::npos);

    // The host back: the forwarder finds its way again, and the machine is as it was.
    remote_host({"start", host, std::to_string(ssh_port)});
    CHECK(state(sandbox, "rm", uri) == "running\n");
    CHECK(sandbox.run({"inspect", "rm"}, env).out == config);
    std::string answer;
    for (int i = 0; i < 30 && answer != "ok\n"; ++i) {
        answer =
            in_sandbox(sandbox, "docker", {"run", "--rm", "localhost/busybox", "echo", "ok"}, "rm")
                .out;
        if (answer != "ok\n")
            std::this_thread::sleep_for(1s);
    }
    CHECK(answer == "ok\n");

    CHECK(sandbox.run({"stop", "rm"}, env).exit_code == 0);
    CHECK(state(sandbox, "rm", uri) == "stopped\n");
    CHECK(sandbox.run({"rm", "-f", "rm"}, env).exit_code == 0);
    CHECK(runner.run({"virsh", {"-c", "qemu:///system", "dominfo", "machine-rm"}, {}}).exit_code !=
          0);
}
