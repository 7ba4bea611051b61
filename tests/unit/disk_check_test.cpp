// The check before each boot: qemu-img's verdict read, a disk held by an exiting QEMU waited for,
// leaked clusters given back with a notice, a corrupt disk refused. The reports have the shape
// qemu-img 7.2 gives: after a repair it counts what was fixed, and names leaks only if some remain.
#include "../helpers/recording_runner.h"
#include "machine/errors.h"
#include "providers/qemu/disk_check.h"
#include "providers/qemu/qemu_img_command.h"

#include <catch2/catch.hpp>

using namespace machine;
using namespace std::chrono_literals;

namespace {

const std::string disk = "/data/machines/dev/disk.qcow2";

const std::string repaired_report = R"({
    "image-end-offset": 188088320,
    "total-clusters": 131072,
    "check-errors": 0,
    "leaks-fixed": 1284,
    "allocated-clusters": 1573,
    "filename": "/data/machines/dev/disk.qcow2",
    "format": "qcow2",
    "fragmented-clusters": 68
})";

const std::string clean_report = R"({
    "image-end-offset": 185401344,
    "total-clusters": 131072,
    "check-errors": 0,
    "allocated-clusters": 1585,
    "filename": "/data/machines/dev/disk.qcow2",
    "format": "qcow2",
    "fragmented-clusters": 74
})";

const std::string lock_error =
    "qemu-img: Could not open '/data/machines/dev/disk.qcow2': Failed to get \"write\" lock\n"
    "Is another process using the image [/data/machines/dev/disk.qcow2]?\n";

} // namespace

TEST_CASE("golden: the check that gives back leaked clusters", "[qemu][qemu_img]") {
    CHECK(qemu_img_repair_leaks(disk) ==
          Command{"qemu-img", {"check", "-r", "leaks", "--output=json", "-f", "qcow2", disk}, {}});
}

TEST_CASE("qemu-img check's verdict is read from its exit code and report", "[qemu][disk]") {
    auto command = qemu_img_repair_leaks(disk);
    auto clean = read_disk_check(command, {0, clean_report, ""});
    CHECK_FALSE(clean.locked);
    CHECK(clean.leaks_fixed == 0);
    CHECK(clean.corruptions == 0);
    CHECK(read_disk_check(command, {0, repaired_report, ""}).leaks_fixed == 1284);
    CHECK(read_disk_check(command, {1, "", lock_error}).locked);
    CHECK(
        read_disk_check(command, {2, "", "ERROR cluster 5 refcount=0 reference=1\n"}).corruptions ==
        1);
    CHECK(read_disk_check(command, {63, "", "qemu-img: This image format does not support checks"})
              .corruptions == 0);
    auto left = read_disk_check(command, {3, R"({"leaks": 2, "leaks-fixed": 5})", ""});
    CHECK(left.leaks_fixed == 5); // some could not be given back: harmless, and the boot goes on
    CHECK(left.corruptions == 0);
    CHECK_THROWS_AS(read_disk_check(command, {1, "", "qemu-img: Could not open backing file"}),
                    ProcessFailed);
    CHECK_THROWS_AS(read_disk_check(command, {1, "", "qemu-img: Check failed: Block not found"}),
                    ProcessFailed); // "Block" is no lock
    CHECK_THROWS_AS(read_disk_check(command, {1, R"({"check-errors": 1})", "Check failed"}),
                    ProcessFailed);
}

TEST_CASE("before a boot, leaked clusters are given back and said so once", "[qemu][disk]") {
    test::RecordingRunner runner;
    runner.respond = [](const Command &) { return ProcessResult{0, repaired_report, ""}; };
    auto notice = check_disk(runner, disk, "dev", 1s);
    CHECK(notice.find("gave back 1284 disk cluster(s)") != std::string::npos);
    CHECK(runner.commands.size() == 1);
    runner.respond = [](const Command &) { return ProcessResult{0, clean_report, ""}; };
    CHECK(check_disk(runner, disk, "dev", 1s).empty());
}

TEST_CASE("a disk an exiting QEMU still holds is waited for, within bounds", "[qemu][disk]") {
    test::RecordingRunner runner;
    runner.respond = [&](const Command &) {
        return runner.commands.size() < 3 ? ProcessResult{1, "", lock_error}
                                          : ProcessResult{0, clean_report, ""};
    };
    CHECK(check_disk(runner, disk, "dev", 5s).empty());
    CHECK(runner.commands.size() == 3);

    runner.commands.clear();
    runner.respond = [](const Command &) { return ProcessResult{1, "", lock_error}; };
    try {
        check_disk(runner, disk, "dev", 300ms);
        FAIL("a disk held for ever was not refused");
    } catch (const WrongState &error) {
        CHECK(std::string(error.what()).find("in use by another process") != std::string::npos);
        CHECK(std::string(error.what()).find(disk) != std::string::npos);
    }
    CHECK(runner.commands.size() >= 2);
}

TEST_CASE("a corrupt disk is refused with one line naming it", "[qemu][disk]") {
    test::RecordingRunner runner;
    runner.respond = [](const Command &) {
        return ProcessResult{2, R"({"corruptions": 3, "check-errors": 0})", ""};
    };
    try {
        check_disk(runner, disk, "dev", 1s);
        FAIL("a corrupt disk was booted");
    } catch (const WrongState &error) {
        std::string message = error.what();
        CHECK(message.find("machine \"dev\" is corrupt") != std::string::npos);
        CHECK(message.find("3 error(s) in " + disk) != std::string::npos);
        CHECK(message.find('\n') == std::string::npos);
        CHECK(error.hint().find("qemu-img check -r all") != std::string::npos);
    }
}
