#pragma once
// The client end of a named pipe a hypervisor serves for a guest's port (QEMU for Windows's
// `-chardev pipe,path=NAME` is the server of `\\.\pipe\NAME`), handed over as a socket so that
// the code reading it waits with poll()/WSAPoll as on any other stream (Windows only: POSIX has
// no named pipes and refuses).
//
// On Windows two threads relay between the pipe and a loopback socket pair; the returned socket
// is the pair's other end. The pipe's end (the server disconnects or exits) reads as the end of
// the socket. A pipe has no half-close: the socket's end, shut or closed, ends the connection.
#include "platform/unix_socket.h"

#include <string>

namespace machine::platform {

// Connects to `\\.\pipe\NAME`, waiting while it does not exist yet or every instance is busy.
// `server_pid` must be the process serving it: a pipe of that name made by another program
// first (pipe names are one namespace for every user of the host) is refused.
// Throws Timeout when `deadline` passes first, HostNotReady when another process serves the name
// (and on POSIX, always), SystemError for anything else (access denied, ...).
Fd connect_pipe(const std::string &name, int server_pid, Clock::time_point deadline);

} // namespace machine::platform
