// Host folders over virtiofs on the QEMU provider (init --mount-type virtiofs): a machine of its
// own, booted with two folders, one read-only; what the host writes is read in the guest and in a
// container, what the guest writes lands on the host under the guest's own uid (virtiofs passes
// identities through), host writes wake a file watcher in a container, a read-only folder refuses
// even the guest's root, and each virtiofsd leaves with its QEMU.
#include "file_events.h"
#include "platform/process_table.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using machine::test::CliSandbox;

namespace {

int virtiofsd_pid(const CliSandbox &sandbox, int index) {
    std::ifstream in(sandbox.root() / "run" / "machine" / "fs" /
                     ("virtiofsd-" + std::to_string(index) + ".pid"));
    int pid = 0;
    in >> pid;
    return pid;
}

} // namespace

TEST_CASE("folders over virtiofs: read and written both ways, :ro holds, virtiofsd leaves with "
          "QEMU",
          "[vm][virtiofs]") {
    if (::getuid() != 0) {
        WARN("skipped: QEMU's virtiofsd runs only as root");
        return;
    }
    CliSandbox sandbox;
    auto writable = sandbox.root() / "shared-rw";
    auto read_only = sandbox.root() / "shared-ro";
    std::filesystem::create_directories(writable);
    std::filesystem::create_directories(read_only);
    ::chmod(writable.c_str(), 0777); // the guest's user writes here as itself (uid 1000)
    std::ofstream(writable / "from-host.txt") << "written on the host\n";
    std::ofstream(read_only / "note.txt") << "look, don't touch\n";

    auto init = sandbox.run({"init", "--image", MACHINE_GUEST_IMAGE, "--mount-type", "virtiofs",
                             "-v", writable.string() + ":/srv/rw", "-v",
                             read_only.string() + ":/srv/ro:ro", "fs"});
    INFO(init.out << init.err);
    REQUIRE(init.exit_code == 0);
    auto start = sandbox.run({"start", "fs"});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);

    auto mounts = sandbox.run({"ssh", "fs", "findmnt -rn -t virtiofs -o TARGET,FSTYPE,OPTIONS"});
    INFO(mounts.out);
    CHECK(mounts.out.find("/srv/rw virtiofs rw") != std::string::npos);
    CHECK(mounts.out.find("/srv/ro virtiofs ro") != std::string::npos);
    CHECK(sandbox.run({"ssh", "fs", "cat /srv/rw/from-host.txt"}).out == "written on the host\n");

    // The guest's write, seen on the host with the guest user's uid; the host's edit, seen in the
    // guest (cache=auto: within a second).
    REQUIRE(sandbox.run({"ssh", "fs", "echo from the guest > /srv/rw/from-guest.txt"}).exit_code ==
            0);
    struct stat made {};
    REQUIRE(::stat((writable / "from-guest.txt").c_str(), &made) == 0);
    CHECK(made.st_uid == 1000);
    std::ofstream(writable / "from-host.txt") << "edited on the host\n";
    CHECK(sandbox.run({"ssh", "fs", "sleep 2; cat /srv/rw/from-host.txt /srv/rw/from-guest.txt"})
              .out == "edited on the host\nfrom the guest\n");

    // A container sees the folder too, through the guest's path.
    auto container = sandbox.run(
        {"ssh", "fs",
         "podman run --rm -v /srv/rw:/data localhost/busybox cat /data/from-guest.txt"});
    INFO(container.err);
    CHECK(container.out == "from the guest\n");

    // Host writes wake a file watcher in a container (file_events.h).
    machine::test::check_file_events(sandbox, "fs", writable / "watched", "/srv/rw/watched");

    CHECK(sandbox.run({"ssh", "fs", "sudo touch /srv/ro/new.txt"}).exit_code != 0);
    CHECK_FALSE(std::filesystem::exists(read_only / "new.txt"));

    int first = virtiofsd_pid(sandbox, 0), second = virtiofsd_pid(sandbox, 1);
    CHECK(machine::platform::process_has_argument(first, "--socket-path=", true));
    CHECK(machine::platform::process_has_argument(second, "--socket-path=", true));
    REQUIRE(sandbox.run({"stop", "fs"}).exit_code == 0);
    for (int i = 0;
         i < 50 && (machine::platform::process_has_argument(first, "--socket-path=", true) ||
                    machine::platform::process_has_argument(second, "--socket-path=", true));
         ++i)
        ::usleep(100'000);
    CHECK_FALSE(machine::platform::process_has_argument(first, "--socket-path=", true));
    CHECK_FALSE(machine::platform::process_has_argument(second, "--socket-path=", true));
    CHECK(sandbox.run({"rm", "-f", "fs"}).exit_code == 0);
}
