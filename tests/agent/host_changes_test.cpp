// The agent's side of host file changes: only a regular file on a shared folder (virtiofs, 9p),
// reached without a link, is touched. A shared folder cannot be made here without a VM (the VM
// test "[file-events]" covers the touch itself); what is refused can.
#include "provisioning/agent/host_changes.h"

#include "agent_test_support.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using namespace machine::agent;
using namespace machine::agent::test;
namespace fs = std::filesystem;

TEST_CASE("a mount's type comes from mountinfo, and only virtiofs and 9p are shared folders",
          "[host-changes]") {
    std::string mountinfo =
        "22 1 254:2 / / rw,relatime shared:1 - ext4 /dev/vda2 rw,discard\n"
        "36 22 0:33 / /home/ann rw,relatime shared:17 - 9p vol0 rw,access=client,trans=virtio\n"
        "37 22 0:34 / /srv/rw rw,relatime shared:18 master:3 - virtiofs vol1 rw\n"
        "380 22 0:35 / /tmp rw - tmpfs tmpfs rw\n";
    CHECK(mount_type(mountinfo, 36) == "9p");
    CHECK(mount_type(mountinfo, 37) == "virtiofs");
    CHECK(mount_type(mountinfo, 22) == "ext4");
    CHECK(mount_type(mountinfo, 38) == std::nullopt); // not "380"
    CHECK(mount_type("garbage\n\n", 1) == std::nullopt);
    CHECK(is_shared_folder_type("9p"));
    CHECK(is_shared_folder_type("virtiofs"));
    CHECK_FALSE(is_shared_folder_type("ext4"));
    CHECK_FALSE(is_shared_folder_type("fuse.sshfs"));
}

TEST_CASE("files not on a shared folder, links, folders and missing files are left alone",
          "[host-changes]") {
    TempDir root;
    std::vector<std::string> logged;
    Log log({}, [&](std::string_view line) { logged.emplace_back(line); });
    write_text(root / "/src/app.js", "x");
    struct stat before {};
    REQUIRE(::stat((root / "/src/app.js").c_str(), &before) == 0);
    fs::create_symlink(root / "/src/app.js", root / "/src/link.js");
    fs::create_symlink(root / "/src", root / "/linked");

    Root under(root.path());
    HostChanges changes(under);
    CHECK_FALSE(changes.show("/src/app.js", log)); // a local disk, not shared
    CHECK_FALSE(changes.show("/src/link.js", log));
    CHECK_FALSE(changes.show("/linked/app.js", log)); // a link on the way
    CHECK_FALSE(changes.show("/src", log));
    CHECK_FALSE(changes.show("/src/missing.js", log));
    struct stat after {};
    REQUIRE(::stat((root / "/src/app.js").c_str(), &after) == 0);
    CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    CHECK(after.st_ctim.tv_nsec == before.st_ctim.tv_nsec);
    CHECK(logged.empty()); // nothing worth a line
}
