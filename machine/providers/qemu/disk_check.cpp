#include "providers/qemu/disk_check.h"

#include "machine/errors.h"
#include "providers/qemu/qemu_img_command.h"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <thread>

namespace machine {

namespace {

// qemu-img check's exit codes (qemu-img(1)).
constexpr int consistent = 0, not_checked = 1, corrupt = 2, leaks_left = 3, unsupported = 63;

} // namespace

DiskCheck read_disk_check(const Command &command, const ProcessResult &result) {
    DiskCheck check;
    // QEMU's own words for an image another process has open: Failed to get "write" lock.
    check.locked =
        result.exit_code == not_checked && result.err.find("\" lock") != std::string::npos;
    if (check.locked || result.exit_code == unsupported)
        return check;
    if (result.exit_code != consistent && result.exit_code != corrupt &&
        result.exit_code != leaks_left)
        throw ProcessFailed(command.display(), result.exit_code, result.err);
    // The counts are in the report; its exit code alone says whether the disk is corrupt.
    auto report = nlohmann::json::parse(result.out, nullptr, false);
    if (report.is_object()) {
        check.leaks_fixed = report.value("leaks-fixed", std::uint64_t{0});
        check.corruptions = report.value("corruptions", std::uint64_t{0});
    }
    if (result.exit_code == corrupt)
        check.corruptions = std::max<std::uint64_t>(check.corruptions, 1);
    return check;
}

std::string check_disk(ProcessRunner &runner, const std::filesystem::path &disk,
                       const std::string &name, std::chrono::milliseconds patience) {
    auto command = qemu_img_repair_leaks(disk.string());
    auto give_up = std::chrono::steady_clock::now() + patience;
    auto check = read_disk_check(command, runner.run(command));
    while (check.locked && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        check = read_disk_check(command, runner.run(command));
    }
    if (check.locked)
        throw WrongState(fmt::format("the disk of machine \"{}\" ({}) is in use by another "
                                     "process",
                                     name, disk.string()),
                         "is another QEMU running it? `machine list` shows which machines run");
    if (check.corruptions > 0)
        throw WrongState(
            fmt::format("the disk of machine \"{}\" is corrupt: qemu-img check found {} "
                        "error(s) in {}",
                        name, check.corruptions, disk.string()),
            "copy it aside, then `qemu-img check -r all` on the copy may save its data; or "
            "`machine rm` and `init` the machine again");
    if (check.leaks_fixed == 0)
        return {};
    return fmt::format("gave back {} disk cluster(s) a QEMU that did not stop cleanly had left "
                       "allocated",
                       check.leaks_fixed);
}

} // namespace machine
