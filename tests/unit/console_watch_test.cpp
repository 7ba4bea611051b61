// The console log as `start` reads it while the guest boots: the agent's failure line is found
// however the log grows (whole lines, split lines, several reads), and nothing else counts.
#include "../helpers/temp_dir.h"
#include "machine/console_watch.h"

#include <catch2/catch.hpp>
#include <fstream>

using machine::agent_failure_in;
using machine::ConsoleWatch;

TEST_CASE("the agent's failure line is recognised and cleaned", "[console]") {
    CHECK(agent_failure_in("machine-agent: invalid Ignition config: ignition.version: expected "
                           "3.x.y; not sending Ready\r") ==
          "invalid Ignition config: ignition.version: expected 3.x.y");
    CHECK(agent_failure_in("\x1b[0mmachine-agent: no \x07user; not sending Ready") == "no user");
    CHECK_FALSE(agent_failure_in("machine-agent: sent Ready to /dev/virtio-ports/x"));
    CHECK_FALSE(agent_failure_in("[  OK  ] Started ssh.service; not sending Ready"));
    CHECK_FALSE(agent_failure_in("Debian GNU/Linux 12 vm ttyS0"));
}

TEST_CASE("the console log is read as it grows", "[console]") {
    machine::test::TempDir dir;
    auto log = dir.path / "console.log";
    ConsoleWatch watch(log);
    CHECK_FALSE(watch.agent_failure()); // QEMU has not made the file yet

    std::ofstream out(log, std::ios::binary);
    out << "[    0.000000] Linux version 6.1\nmachine-agent: cannot apply the Ig" << std::flush;
    CHECK_FALSE(watch.agent_failure());
    out << "nition config: passwd.users[0]: bad; not sending" << std::flush;
    CHECK_FALSE(watch.agent_failure()); // the line is not finished
    out << " Ready\nt1 login: " << std::flush;
    CHECK(watch.agent_failure() == "cannot apply the Ignition config: passwd.users[0]: bad");
    CHECK_FALSE(watch.agent_failure()); // reported once
}
