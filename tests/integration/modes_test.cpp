// What `init` writes is the user's alone whatever the umask: keys and the provisioning config
// 0600, the store's folders 0700, even under umask 000.
#include "cli_runner.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using machine::test::CliSandbox;

namespace {

unsigned mode_of(const std::filesystem::path &path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace

TEST_CASE("init under umask 000 still makes private keys and folders", "[cli][modes]") {
    CliSandbox sandbox;
    auto old_mask = ::umask(0); // the child inherits it
    auto init = sandbox.run({"init", "--image", sandbox.image(), "open"});
    ::umask(old_mask);
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    auto data = sandbox.data_dir() / "machines" / "open";
    for (const char *secret : {"id_ed25519", "ssh_host_ed25519_key", "ignition.json"}) {
        INFO(secret);
        CHECK(mode_of(data / secret) == 0600);
    }
    CHECK(mode_of(data) == 0700);
    CHECK(mode_of(sandbox.data_dir() / "machines") == 0700);
    CHECK(mode_of(sandbox.config_dir() / "machines") == 0700);
    CHECK((mode_of(sandbox.config_dir() / "machines" / "open.yaml") & 0077) == 0);
}
