// What a running machine exposes on the host, made under umask 000 (CTest runs this suite so):
// its runtime folder 0700 and every socket in it 0600, and every port its QEMU and forwarder
// listen on (TCP) bound to the loopback address only, a published container port included (`ss`).
#include "../vm/shared_machine.h"
#include "tally.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sys/stat.h>
#include <thread>

using machine::test::run_in_sandbox;

namespace {

std::filesystem::path runtime_dir() {
    return machine::test::vm_sandbox().root() / "run" / "machine" / "vm";
}

std::string pid_text_from(const std::string &file) {
    std::ifstream in(runtime_dir() / file);
    std::string pid;
    in >> pid;
    return pid;
}

// `ss` lines of listening TCP sockets owned by `pid`. (UDP is left out: QEMU's user network opens
// a socket on the wildcard address for each outbound guest flow, DNS or NTP, the way a NAT does;
// those are not listeners, and no UDP port is published in these tests.)
std::vector<std::string> listeners_of(const std::string &pid) {
    auto table = run_in_sandbox("ss", {"-H", "-l", "-n", "-t", "-p"}).out;
    std::vector<std::string> lines;
    std::istringstream in(table);
    for (std::string line; std::getline(in, line);)
        if (line.find("pid=" + pid + ",") != std::string::npos)
            lines.push_back(line);
    return lines;
}

} // namespace

TEST_CASE("under umask 000 the runtime folder is 0700 and its sockets 0600", "[reliability]") {
    machine::test::ensure_vm_running();
    REQUIRE(::umask(0) == 0); // the suite runs under umask 000 (see tests/CMakeLists.txt)
    struct stat st {};
    REQUIRE(::stat(runtime_dir().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    int sockets = 0;
    for (const auto &entry : std::filesystem::directory_iterator(runtime_dir())) {
        REQUIRE(::lstat(entry.path().c_str(), &st) == 0);
        INFO(entry.path());
        CHECK((st.st_mode & 0077) == 0); // nothing there for anyone else
        if (S_ISSOCK(st.st_mode)) {
            ++sockets;
            CHECK((st.st_mode & 0777) == 0600);
        }
    }
    CHECK(sockets >= 3); // the API, QEMU's monitor, machine-mux
}

TEST_CASE("nothing listens on a non-loopback address", "[reliability][listeners]") {
    machine::test::ensure_vm_running();
    if (!machine::test::have_docker())
        return;
    // A published port too: QEMU listens for it while the container runs.
    auto id = run_in_sandbox("docker", {"run", "-d", "-p", "18090:80", "localhost/busybox", "sh",
                                        "-c", "httpd -f -p 80 -h /tmp"});
    REQUIRE(id.exit_code == 0);
    bool published = false;
    for (int i = 0; i < 120 && !published; ++i) {
        published = run_in_sandbox("ss", {"-H", "-l", "-n", "-t", "sport = :18090"}).out.size() > 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    CHECK(published);

    // ss -H -t: State Recv-Q Send-Q Local-Address:Port Peer-Address:Port Process
    std::regex loopback(
        R"(^LISTEN\s+\d+\s+\d+\s+(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.[\d.]+\]):\d+\s)");
    int checked = 0;
    for (const auto &file : {"qemu.pid", "forwarder.pid"}) {
        auto pid = pid_text_from(file);
        REQUIRE_FALSE(pid.empty());
        for (const auto &line : listeners_of(pid)) {
            machine::test::Tally tally(machine::test::listeners, line);
            INFO(line);
            CHECK(std::regex_search(line, loopback));
            ++checked;
        }
    }
    CHECK(checked >= 2); // at least SSH's forward and the published port
    run_in_sandbox("docker", {"rm", "-f", id.out.substr(0, 12)});
}
