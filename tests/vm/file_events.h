#pragma once
// Host writes in a shared folder, seen by a real file watcher (tests/helpers/file_watch.cpp) in a
// container of a running machine: what the VM tests of 9p and virtiofs folders both check.
#include "../integration/cli_runner.h"

#include <filesystem>
#include <string>

namespace machine::test {

// Files the host writes in `host_folder` (shared as `guest_folder` in `machine`, running) wake
// the watcher with a content event (MODIFY or CLOSE_WRITE) and the new content already readable:
// three edits one at a time, each within a second (the median: the guest's clock follows the
// host's within 50 ms), then a burst of twenty files, each seen; once the host is quiet, no more
// events come (the guest's own touches do not echo back).
void check_file_events(const CliSandbox &sandbox, const std::string &machine,
                       const std::filesystem::path &host_folder, const std::string &guest_folder);

} // namespace machine::test
