// The image's WSL tarball, as WSL starts a distribution: unpacked, then run as a root of its own
// (a mount and pid namespace, chroot), its podman serving the API, and the host reaching it only
// through `machine-agent --mux-stdio` on the process's stdin and stdout, which is what the WSL
// provider runs (`wsl.exe -d DIST -u root machine-agent --mux-stdio`). Needs root and the built
// image (tests/run builds it); skipped otherwise.
#include "../reliability/tally.h"
#include "agent_test_support.h"
#include "ping_engine.h"

#include <sys/wait.h>
#include <unistd.h>

using namespace machine::agent;
using namespace machine::agent::test;

namespace {

// What WSL's init gives a distribution before its first process, then podman's API, then the
// agent in the shell's place.
constexpr const char *distribution_init = R"(set -e
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/podman
podman system service --time=0 unix:///run/podman/podman.sock >/tmp/podman.log 2>&1 &
for i in $(seq 1 300); do [ -S /run/podman/podman.sock ] && break; sleep 0.1; done
exec /usr/local/bin/machine-agent --mux-stdio
)";

bool can_run() {
    if (::geteuid() != 0) {
        machine::test::skip("unpacking the WSL tarball and entering it needs root");
        return false;
    }
    if (!std::filesystem::exists(MACHINE_GUEST_ROOTFS)) {
        machine::test::skip("no guest image rootfs at " MACHINE_GUEST_ROOTFS " (.ci/guest-image)");
        return false;
    }
    return machine::test::have_program("unshare", "util-linux");
}

} // namespace

TEST_CASE("the WSL tarball, started as a root of its own, serves the API over --mux-stdio",
          "[agent][wsl]") {
    if (!can_run())
        return;
    TempDir root, host;
    REQUIRE(std::system(
                ("tar --zstd -xpf " MACHINE_GUEST_ROOTFS " -C " + root.path().string()).c_str()) ==
            0);
    REQUIRE(std::filesystem::exists(root / "/usr/local/bin/machine-agent"));

    auto agent = spawn_with_stdio({"/usr/bin/unshare", "--mount", "--pid", "--fork",
                                   "--propagation", "private", "chroot", root.path().string(),
                                   "/bin/sh", "-c", distribution_init});

    auto api = host.path() / "api.sock";
    auto forwarder = std::make_unique<HostEnd>(api, agent.from_child, agent.to_child);
    auto reply = ping(api);
    CHECK(reply.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(reply.find("Libpod-Api-Version:") != std::string::npos); // podman's own answer
    CHECK(reply.substr(reply.size() - 2) == "OK");

    // The host goes: the agent's stdin ends, the namespace's first process with it, and podman
    // with the namespace.
    forwarder.reset();
    int status = 0;
    REQUIRE(::waitpid(agent.pid, &status, 0) == agent.pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
