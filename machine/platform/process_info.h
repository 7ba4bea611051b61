#pragma once
// What the system says of a process by its pid, on the POSIX hosts: Linux reads /proc, macOS asks
// the kernel (sysctl, proc_pidinfo). own_executable() (host.h) is defined beside these.
#include <string>
#include <vector>

namespace machine::platform {

// The process's argv, or none when it has gone or is not ours to read.
std::vector<std::string> process_arguments(int pid);

// Whether the process has ended, every thread of it, and only waits to be reaped (a zombie still
// answers kill(pid, 0)). Not while its last threads exit: they hold its files, QEMU's disk lock.
bool process_awaits_reaping(int pid);

} // namespace machine::platform
