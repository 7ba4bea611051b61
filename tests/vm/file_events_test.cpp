// Files written on the host in a folder shared over 9p (the shared machine's home folder, shared
// by default) wake a file watcher in a container; virtiofs_test.cpp checks the same over virtiofs.
#include "file_events.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>

using namespace machine::test;

TEST_CASE("host writes in a 9p folder wake a file watcher in a container", "[vm][file-events]") {
    ensure_vm_running();
    auto folder = vm_sandbox().root() / "home" / "file-events";
    check_file_events(vm_sandbox(), "vm", folder, folder.string());
}
