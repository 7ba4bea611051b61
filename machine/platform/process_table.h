#pragma once
// Looking at other processes, to tell a live hypervisor from a stale pid file.
#include <filesystem>
#include <string>

namespace machine::platform {

// The pid in a pid file; 0 when the file is missing or holds no number.
int read_pid_file(const std::filesystem::path &path);

// True when process `pid` is alive and one of its arguments contains `needle`
// (so a reused pid belonging to another program does not count).
bool process_has_argument(int pid, const std::string &needle, bool substring);

} // namespace machine::platform
