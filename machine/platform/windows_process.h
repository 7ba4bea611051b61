#pragma once
// Starting a Windows process with the standard handles we give it, shared by the process runner
// and the stdio process (Windows only).
#include "machine/command.h"
#include "platform/windows_handle.h"

namespace machine::platform {

// One anonymous pipe; the child's end is inheritable, ours is not (so no other child holds it
// open and keeps us from seeing the end).
struct WindowsPipe {
    WinHandle ours, theirs;
    explicit WindowsPipe(bool child_reads);
};

// The null device, inheritable, opened for `access` (GENERIC_READ for a child's stdin).
WinHandle null_device(DWORD access);

struct WindowsChild {
    WinHandle process;
    DWORD pid = 0;
};

// CreateProcessW with the command line quoted by the C runtime's rules, the command's variables
// set over ours, the standard handles given and the creation `flags` (CREATE_NO_WINDOW for a
// child that must not share our console); a missing program is HostNotReady.
WindowsChild start_windows_process(const Command &command, HANDLE in, HANDLE out, HANDLE err,
                                   DWORD flags);

// Reads `from` to its end.
void pipe_read_all(HANDLE from, std::string &into);

// Writes all of `data`; false when the reader went away first.
bool pipe_write_all(HANDLE to, const char *data, std::size_t size);

} // namespace machine::platform
