// /var/run/docker.sock as a link to a machine's API socket, taken only when free, given back only
// by its machine: in a temporary folder standing in for /var/run.
#include "machine/docker_socket_link.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <unistd.h> // mkdtemp, on macOS

namespace fs = std::filesystem;
using namespace machine;

namespace {

struct Folder {
    fs::path path;
    Folder() {
        std::string name = (fs::temp_directory_path() / "docker-sock-XXXXXX").string();
        path = ::mkdtemp(name.data());
    }
    ~Folder() { fs::remove_all(path); }
};

} // namespace

TEST_CASE("docker.sock is taken when missing or dangling, never from a live owner",
          "[docker-socket]") {
    Folder run;
    auto link = run.path / "docker.sock";
    auto ours = run.path / "ours.sock", theirs = run.path / "theirs.sock";
    std::ofstream(ours).put('x'); // stand-ins for live sockets: they exist
    std::ofstream(theirs).put('x');

    CHECK(claim_docker_socket(link, ours) == link.string() + " now points at this machine's "
                                                             "API socket");
    CHECK(fs::read_symlink(link) == ours);
    CHECK(claim_docker_socket(link, ours) == link.string() + " already points at this machine");

    // Another machine's live link, and a real socket (here a file): left alone, and said so.
    CHECK(claim_docker_socket(link, theirs) == link.string() + " is taken (a link to " +
                                                   ours.string() +
                                                   "): left alone; use DOCKER_HOST");
    CHECK(fs::read_symlink(link) == ours);
    release_docker_socket(link, theirs); // not theirs to give back
    CHECK(fs::is_symlink(link));
    release_docker_socket(link, ours);
    CHECK_FALSE(fs::exists(fs::symlink_status(link)));

    std::ofstream(link).put('x');
    CHECK(claim_docker_socket(link, ours) ==
          link.string() + " is taken (not a link of ours): left alone; use DOCKER_HOST");
    fs::remove(link);

    // A link left by a machine that stopped without saying (its socket gone) is free.
    fs::create_symlink(run.path / "gone.sock", link);
    CHECK(claim_docker_socket(link, ours).find("now points at") != std::string::npos);
    CHECK(fs::read_symlink(link) == ours);
}

TEST_CASE("docker.sock in a folder this user may not write is refused in one line",
          "[docker-socket]") {
    auto refused = claim_docker_socket("/proc/docker.sock", "/run/m/podman.sock");
    CHECK(refused.rfind("/proc/docker.sock could not be made (", 0) == 0);
    CHECK(refused.find('\n') == std::string::npos);
    CHECK_FALSE(fs::exists(fs::symlink_status("/proc/docker.sock")));
}
