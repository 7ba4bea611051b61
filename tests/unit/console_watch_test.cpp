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
    watch.poll(); // QEMU has not made the file yet
    CHECK_FALSE(watch.agent_started());

    std::ofstream out(log, std::ios::binary);
    out << "[    0.000000] Linux version 6.1\nmachine-agent: sta" << std::flush;
    watch.poll();
    CHECK_FALSE(watch.agent_started()); // the line is not finished
    out << "rted\nmachine-agent: cannot apply the Ignition config: passwd.users[0]: bad; not "
        << std::flush;
    watch.poll();
    CHECK(watch.agent_started());
    CHECK_FALSE(watch.agent_failure());
    out << "sending Ready\nt1 login: " << std::flush;
    watch.poll();
    CHECK(watch.agent_failure() == "cannot apply the Ignition config: passwd.users[0]: bad");
}
