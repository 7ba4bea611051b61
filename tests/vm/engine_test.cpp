// Real clients on the host against the engine in the guest, through the forwarded API socket:
// the docker CLI (API negotiated down to podman's 1.41), podman --remote and curl.
#include "../reliability/tally.h"
#include "log_follow.h"
#include "machine/docker_socket_link.h"
#include "platform/host.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <future>
#include <map>
#include <sys/stat.h>
#include <thread>

using namespace machine::test;

namespace {

std::string forwarder_log() {
    std::ifstream in(vm_sandbox().data_dir() / "machines" / "vm" / "forwarder.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int forwarder_pid() {
    std::ifstream pid_file(vm_sandbox().root() / "run" / "machine" / "vm" / "forwarder.pid");
    int pid = 0;
    pid_file >> pid;
    return pid;
}

// Replaces the running forwarder with one started by `machine start` with `env`.
void restart_forwarder(const std::map<std::string, std::string> &env) {
    int pid = forwarder_pid();
    REQUIRE(pid > 0);
    run_in_sandbox("kill", {std::to_string(pid)});
    for (int i = 0; i < 50 && ::kill(pid, 0) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto start = vm_sandbox().run({"start", "vm"}, env);
    INFO(start.err);
    REQUIRE(start.exit_code == 0);
}

// `count` GET /_ping at once through the forwarded socket; how many answered OK.
int concurrent_pings(int count) {
    std::vector<std::future<machine::ProcessResult>> pings;
    for (int i = 0; i < count; ++i)
        pings.push_back(std::async(std::launch::async, [] {
            return run_in_sandbox("curl",
                                  {"-s", "--unix-socket", vm_api_socket(), "http://d/_ping"});
        }));
    int ok = 0;
    for (auto &ping : pings)
        ok += ping.get().out == "OK";
    return ok;
}

} // namespace

TEST_CASE("the API socket answers and is private", "[vm][engine]") {
    ensure_vm_running();
    auto ping = run_in_sandbox("curl", {"-s", "--unix-socket", vm_api_socket(), "http://d/_ping"});
    CHECK(ping.out == "OK");
    struct stat st {};
    REQUIRE(::stat(vm_api_socket().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(std::filesystem::path(vm_api_socket()).parent_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("the API is forwarded over machine-mux to our agent by default", "[vm][engine]") {
    ensure_vm_running();
    auto ping = run_in_sandbox("curl", {"-s", "--unix-socket", vm_api_socket(), "http://d/_ping"});
    CHECK(ping.out == "OK");
    CHECK(forwarder_log().find("forwarding over machine-mux") != std::string::npos);
}

namespace {

// GET http://127.0.0.1:PORT/ from the host, retried for up to `seconds` (the forward follows the
// container's start event; under emulation give it time, without asserting on timing).
std::string fetch_on_host(const std::string &port, int seconds) {
    for (int i = 0; i < seconds * 4; ++i) {
        auto got =
            run_in_sandbox("curl", {"-sf", "--max-time", "2", "http://127.0.0.1:" + port + "/"});
        if (got.exit_code == 0)
            return got.out;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return {};
}

bool refused_on_host(const std::string &port, int seconds) {
    for (int i = 0; i < seconds * 4; ++i) {
        if (run_in_sandbox("curl", {"-s", "--max-time", "2", "http://127.0.0.1:" + port + "/"})
                .exit_code == 7) // could not connect
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
}

const std::string web_server =
    "echo served-from-the-guest > /tmp/index.html && httpd -f -p 80 -h /tmp";

// The forwarder now running carries `transport`; replaced only when it carries another.
void use_transport(const std::string &transport) {
    static std::string current = "machine-mux";
    if (transport == current)
        return;
    restart_forwarder(transport == "ssh"
                          ? std::map<std::string, std::string>{{"MACHINE_API_TRANSPORT", "ssh"}}
                          : std::map<std::string, std::string>{});
    current = transport;
}

void docker_run_logs_exec_stop() {
    if (!have_docker())
        return;
    auto version = run_in_sandbox("docker", {"version", "--format", "{{.Server.APIVersion}}"});
    INFO(version.err);
    CHECK(version.exit_code == 0);
    auto hi = run_in_sandbox("docker", {"run", "--rm", "localhost/busybox", "echo", "hi"});
    INFO(hi.err);
    CHECK(hi.out == "hi\n");
    auto piped = run_in_sandbox("docker", {"run", "--rm", "-i", "localhost/busybox", "wc", "-l"},
                                "a\nb\nc\n");
    CHECK(piped.out == "3\n");
    auto large = run_in_sandbox("docker", {"run", "--rm", "-i", "localhost/busybox", "wc", "-c"},
                                std::string(300000, 'x'));
    CHECK(large.out == "300000\n");
    auto id = run_in_sandbox(
        "docker", {"run", "-d", "localhost/busybox", "sh", "-c", "echo started; sleep 600"});
    REQUIRE(id.exit_code == 0);
    auto container = id.out.substr(0, 12);
    CHECK(run_in_sandbox("docker", {"logs", container}).out == "started\n");
    CHECK(run_in_sandbox("docker", {"exec", container, "echo", "inside"}).out == "inside\n");
    CHECK(run_in_sandbox("docker", {"stop", "-t", "1", container}).exit_code == 0);
    CHECK(run_in_sandbox("docker", {"rm", container}).exit_code == 0);
}

void docker_build_and_cp() {
    if (!have_docker())
        return;
    auto context = vm_sandbox().root() / "build-context";
    std::filesystem::create_directories(context);
    std::ofstream(context / "Containerfile")
        << "FROM localhost/busybox\nCOPY greeting.txt /greeting.txt\nCMD [\"cat\", "
           "\"/greeting.txt\"]\n";
    std::ofstream(context / "greeting.txt") << "built on the host\n";
    auto build = run_in_sandbox("docker", {"build", "-t", "localhost/greeter", "-f",
                                           (context / "Containerfile").string(), context.string()});
    INFO(build.out << build.err);
    REQUIRE(build.exit_code == 0);
    CHECK(run_in_sandbox("docker", {"run", "--rm", "localhost/greeter"}).out ==
          "built on the host\n");

    auto id = run_in_sandbox("docker", {"create", "localhost/greeter"}).out.substr(0, 12);
    auto out = vm_sandbox().root() / "copied.txt";
    CHECK(run_in_sandbox("docker", {"cp", id + ":/greeting.txt", out.string()}).exit_code == 0);
    std::ifstream copied(out);
    std::string text((std::istreambuf_iterator<char>(copied)), std::istreambuf_iterator<char>());
    CHECK(text == "built on the host\n");
    CHECK(run_in_sandbox("docker", {"cp", out.string(), id + ":/back.txt"}).exit_code == 0);
    run_in_sandbox("docker", {"rm", id});
}

void docker_context_and_many_connections() {
    if (!have_docker())
        return;
    auto ps = run_in_sandbox("env", {"-u", "DOCKER_HOST", "docker", "--context", "vm", "ps"});
    INFO(ps.err);
    CHECK(ps.exit_code == 0);
    CHECK(ps.out.find("CONTAINER ID") == 0);
    CHECK(concurrent_pings(200) == 200);
}

void podman_remote_connection() {
    if (!have_program("podman", "installed by .ci/deps"))
        return;
    auto run = run_in_sandbox("podman", {"--remote", "--connection", "vm", "run", "--rm",
                                         "localhost/busybox", "echo", "via podman --remote"});
    INFO(run.err);
    CHECK(run.out == "via podman --remote\n");
    CHECK(run_in_sandbox("podman", {"--remote", "--connection", "vm", "ps"}).exit_code == 0);
}

void host_folder_under_home_shared() {
    if (!have_docker())
        return;
    auto folder = vm_sandbox().root() / "home" / "project";
    std::filesystem::create_directories(folder);
    // The tests run as root, whose files the guest's user (uid 1000) may not write over 9p;
    // a developer's own uid and the guest user's match on a usual Linux host.
    std::filesystem::permissions(folder, std::filesystem::perms::all);
    std::ofstream(folder / "from-host.txt") << "host data\n";
    auto read = run_in_sandbox("docker", {"run", "--rm", "-v", folder.string() + ":/src",
                                          "localhost/busybox", "cat", "/src/from-host.txt"});
    INFO(read.err);
    CHECK(read.out == "host data\n");
    auto write = run_in_sandbox("docker", {"run", "--rm", "-v", folder.string() + ":/src",
                                           "localhost/busybox", "sh", "-c",
                                           "echo from container > /src/back.txt"});
    CHECK(write.exit_code == 0);
    std::ifstream back(folder / "back.txt");
    std::string text((std::istreambuf_iterator<char>(back)), std::istreambuf_iterator<char>());
    CHECK(text == "from container\n");
}

void published_ports_follow_the_container() {
    if (!have_docker())
        return;
    auto id = run_in_sandbox(
        "docker", {"run", "-d", "-p", "18080:80", "localhost/busybox", "sh", "-c", web_server});
    INFO(id.err);
    REQUIRE(id.exit_code == 0);
    auto container = id.out.substr(0, 12);
    CHECK(fetch_on_host("18080", 30) == "served-from-the-guest\n");
    CHECK(run_in_sandbox("docker", {"rm", "-f", container}).exit_code == 0);
    CHECK(refused_on_host("18080", 30));

    // -P: a port the engine picks, found with `docker port`
    auto any = run_in_sandbox("docker", {"run", "-d", "-P", "--expose", "80", "localhost/busybox",
                                         "sh", "-c", web_server});
    REQUIRE(any.exit_code == 0);
    auto mapping = run_in_sandbox("docker", {"port", any.out.substr(0, 12), "80/tcp"}).out;
    auto port = mapping.substr(mapping.rfind(':') + 1);
    port = port.substr(0, port.find('\n'));
    INFO(mapping);
    CHECK(fetch_on_host(port, 30) == "served-from-the-guest\n");
    run_in_sandbox("docker", {"rm", "-f", any.out.substr(0, 12)});
}

// A UDP echo in a container (tests/helpers/udp_echo.cpp, built into an image on the way),
// published with -p HOST:CONTAINER/udp: a datagram from the host's loopback comes back. The
// client retries while the forward is being set up.
void published_udp_port_answers() {
    if (!have_docker())
        return;
    auto context = vm_sandbox().root() / "udp-echo";
    std::filesystem::create_directories(context);
    std::filesystem::copy_file(UDP_ECHO, context / "udp_echo",
                               std::filesystem::copy_options::overwrite_existing);
    std::ofstream(context / "Containerfile")
        << "FROM localhost/busybox\nCOPY udp_echo /udp_echo\nCMD [\"/udp_echo\", \"5353\"]\n";
    auto build = run_in_sandbox("docker", {"build", "-q", "-t", "localhost/udp-echo", "-f",
                                           (context / "Containerfile").string(), context.string()});
    INFO(build.out << build.err);
    REQUIRE(build.exit_code == 0);
    auto id = run_in_sandbox("docker", {"run", "-d", "-p", "18085:5353/udp", "localhost/udp-echo"});
    INFO(id.err);
    REQUIRE(id.exit_code == 0);
    auto answer =
        run_in_sandbox("python3", {"-c", "import socket, time\n"
                                         "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                         "s.settimeout(1)\n"
                                         "for _ in range(60):\n"
                                         "    s.sendto(b'datagram', ('127.0.0.1', 18085))\n"
                                         "    try:\n"
                                         "        print(s.recv(100).decode()); break\n"
                                         "    except OSError:\n"
                                         "        time.sleep(0.5)\n"});
    CHECK(answer.out == "datagram\n");
    run_in_sandbox("docker", {"rm", "-f", id.out.substr(0, 12)});
}

} // namespace

// Every client, over machine-mux (the default) and then over the SSH transport.
TEST_CASE("the clients work over both transports", "[vm][engine]") {
    ensure_vm_running();
    auto transport = GENERATE(as<std::string>{}, "machine-mux", "ssh");
    use_transport(transport);
    INFO("transport: " << transport);
    SECTION("docker run, logs, exec, stop") {
        docker_run_logs_exec_stop();
    }
    SECTION("docker logs -f and docker-py follow a container's logs") {
        check_logs_follow(vm_api_socket());
    }
    SECTION("docker build and cp") {
        docker_build_and_cp();
    }
    SECTION("docker --context and many connections at once") {
        docker_context_and_many_connections();
    }
    SECTION("podman --remote through the registered connection") {
        podman_remote_connection();
    }
    SECTION("a host folder under home is shared into containers") {
        host_folder_under_home_shared();
    }
    SECTION("published ports reach the host's loopback and go away with the container") {
        published_ports_follow_the_container();
    }
    SECTION("a published UDP port answers on the host's loopback") {
        published_udp_port_answers();
    }
    if (transport == "ssh") // the SSH loop's line (over machine-mux only the port watcher's)
        CHECK(forwarder_log().find("forwarder: connected to the guest") != std::string::npos);
}

TEST_CASE("back on machine-mux", "[vm][engine]") {
    ensure_vm_running();
    use_transport("machine-mux");
    CHECK(run_in_sandbox("curl", {"-s", "--unix-socket", vm_api_socket(), "http://d/_ping"}).out ==
          "OK");
}

TEST_CASE("/var/run/docker.sock in the guest is the engine's, also mounted into a container",
          "[vm][engine][docker-sock]") {
    ensure_vm_running();
    auto client = vm_sandbox().run(
        {"ssh", "vm", "podman --url unix:///var/run/docker.sock info --format '{{.Host.Arch}}'"});
    INFO(client.out << client.err);
    CHECK(client.exit_code == 0);
    CHECK(client.out == "amd64\n");
    if (!have_docker())
        return;
    // What testcontainers' Ryuk and docker-in-docker setups do: the socket bind-mounted into a
    // container and a Docker client there (Debian's docker CLI, copied in, with the guest's libc,
    // the only library it loads).
    auto docker = machine::platform::find_program("docker");
    REQUIRE(vm_sandbox().run({"cp", docker.string(), "vm:/var/tmp/docker"}).exit_code == 0);
    auto mounted =
        run_in_sandbox("docker", {"run", "--rm", "-v", "/var/run/docker.sock:/var/run/docker.sock",
                                  "-v", "/var/tmp/docker:/usr/local/bin/docker:ro", "-v",
                                  "/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:ro", "-v",
                                  "/usr/lib64:/lib64:ro", "localhost/busybox", "docker", "version",
                                  "--format", "{{.Server.APIVersion}}"});
    INFO(mounted.out << mounted.err);
    CHECK(mounted.exit_code == 0);
    CHECK(mounted.out == "1.41\n");
}

TEST_CASE("start --docker-socket points the host's /var/run/docker.sock at the machine",
          "[vm][engine][docker-sock]") {
    ensure_vm_running();
    if (!have_docker())
        return;
    if (std::filesystem::exists(std::filesystem::symlink_status(machine::docker_socket_path))) {
        WARN("skipped: this host's /var/run/docker.sock is taken");
        return;
    }
    auto start = vm_sandbox().run({"start", "--docker-socket", "vm"}); // running: only the link
    INFO(start.out << start.err);
    CHECK(start.exit_code == 0);
    CHECK((start.out + start.err)
              .find("/var/run/docker.sock now points at this machine's API "
                    "socket") != std::string::npos);
    // A client that looks only there (no DOCKER_HOST, the default context) finds the machine.
    auto version = run_in_sandbox("env", {"-u", "DOCKER_HOST", "docker", "--context", "default",
                                          "version", "--format", "{{.Server.APIVersion}}"});
    INFO(version.err);
    CHECK(version.out == "1.41\n");
    machine::release_docker_socket(machine::docker_socket_path, vm_api_socket());
    CHECK_FALSE(
        std::filesystem::exists(std::filesystem::symlink_status(machine::docker_socket_path)));
}

TEST_CASE("a published port taken on the host is reported, not skipped", "[vm][engine][ports]") {
    ensure_vm_running();
    if (!have_docker())
        return;
    // Something on the host holds 18081 already.
    auto holder = run_in_sandbox("sh", {"-c", "python3 -c 'import socket,time; s=socket.socket(); "
                                              "s.bind((\"127.0.0.1\", 18081)); s.listen(); "
                                              "time.sleep(60)' >/dev/null 2>&1 & echo $!"});
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto id = run_in_sandbox(
        "docker", {"run", "-d", "-p", "18081:80", "localhost/busybox", "sh", "-c", web_server});
    REQUIRE(id.exit_code == 0);
    bool reported = false;
    for (int i = 0; i < 120 && !reported; ++i) {
        reported = forwarder_log().find("cannot forward 127.0.0.1:18081") != std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    CHECK(reported);
    run_in_sandbox("docker", {"rm", "-f", id.out.substr(0, 12)});
    run_in_sandbox("kill", {holder.out.substr(0, holder.out.find('\n'))});
}

namespace {

void kill_forwarder() {
    int pid = forwarder_pid();
    REQUIRE(pid > 0);
    run_in_sandbox("kill", {"-9", std::to_string(pid)});
    for (int i = 0; i < 50 && ::kill(pid, 0) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto dead = run_in_sandbox("curl", {"-s", "--unix-socket", vm_api_socket(), "http://d/_ping"});
    CHECK(dead.out != "OK");
}

} // namespace

TEST_CASE("a killed forwarder is brought back by list and by start, stale forwards removed",
          "[vm][engine][ports]") {
    ensure_vm_running();
    if (!have_docker())
        return;
    auto id = run_in_sandbox(
        "docker", {"run", "-d", "-p", "18083:80", "localhost/busybox", "sh", "-c", web_server});
    REQUIRE(id.exit_code == 0);
    REQUIRE(fetch_on_host("18083", 30) == "served-from-the-guest\n");

    // Killed while it forwarded 18083; the container goes while nobody watches.
    kill_forwarder();
    auto removed = vm_sandbox().run({"ssh", "vm", "podman rm -f " + id.out.substr(0, 12)});
    INFO(removed.err);
    CHECK(removed.exit_code == 0);
    auto list = vm_sandbox().run({"list"});
    CHECK(list.exit_code == 0);
    CHECK(list.err.find("API forwarder of machine \"vm\" was not running") != std::string::npos);
    CHECK(run_in_sandbox("curl", {"-s", "--unix-socket", vm_api_socket(), "http://d/_ping"}).out ==
          "OK");
    CHECK(refused_on_host("18083", 30)); // the new forwarder removed what the old one left
    CHECK(vm_sandbox().run({"list"}).err.empty()); // nothing to revive any more

    // Killed while a container that stays publishes 18084: the new forwarder forwards it again
    // (over machine-mux the forward was the old forwarder's own socket, gone with it).
    auto stays = run_in_sandbox(
        "docker", {"run", "-d", "-p", "18084:80", "localhost/busybox", "sh", "-c", web_server});
    REQUIRE(stays.exit_code == 0);
    REQUIRE(fetch_on_host("18084", 30) == "served-from-the-guest\n");
    kill_forwarder();
    auto start = vm_sandbox().run({"start", "vm"});
    CHECK(start.exit_code == 0);
    CHECK(start.err.find("API forwarder was not running") != std::string::npos);
    CHECK(run_in_sandbox("curl", {"-s", "--unix-socket", vm_api_socket(), "http://d/_ping"}).out ==
          "OK");
    CHECK(fetch_on_host("18084", 30) == "served-from-the-guest\n");
    run_in_sandbox("docker", {"rm", "-f", stays.out.substr(0, 12)});
}
