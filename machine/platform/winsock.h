#pragma once
// Winsock for the Windows files of machine/platform: started once, sockets made the way POSIX's
// SOCK_CLOEXEC makes them, and WSAPoll with its quirks handled (Windows only).
#include "platform/windows_handle.h"

#include <utility>
#include <vector>

namespace machine::platform {

// Starts Winsock for the rest of the process; every call that makes a socket calls it first.
void start_winsock();

// The SOCKET an int descriptor holds (an Fd keeps one as an int: Windows' socket handles fit
// in 32 bits). -1 becomes INVALID_SOCKET.
inline SOCKET as_socket(int fd) {
    return static_cast<SOCKET>(fd);
}

// A new socket that child processes do not inherit (SOCK_CLOEXEC's counterpart), overlapped as
// socket() makes them. INVALID_SOCKET on failure, with WSAGetLastError set.
SOCKET new_socket(int family, int type, int protocol);

// A connected pair of loopback TCP sockets, blocking, not inherited, without Nagle's delay: what
// a socketpair() is on POSIX. Only our own connection is taken (another local process may connect
// to the listener meanwhile). Throws SystemError.
std::pair<WinSocket, WinSocket> loopback_socket_pair();

// Switches `socket` to non-blocking mode (ioctlsocket FIONBIO); false on failure.
bool set_nonblocking(SOCKET socket);

// WSAPoll over `fds` for up to `timeout_ms` (negative: no limit), made to behave like poll():
//  - entries whose fd is INVALID_SOCKET, or that wait for nothing, are left out; with none
//    left it sleeps, where WSAPoll would fail (it wants one valid socket at least);
//  - WSAPoll reports a peer's FIN as POLLHUP, which poll() reports as POLLIN alone: on an entry
//    not waiting to read, that POLLHUP is dropped, and waited past with select() (which reports
//    a FIN only to readers) when nothing else is ready, so that a socket being written to after
//    its peer half-closed does not wake the loop at once, for ever;
//  - POLLNVAL (not a socket) is reported as POLLERR: a call on it fails at once, not blocks.
// Returns how many entries have revents, or SOCKET_ERROR (WSAGetLastError says why).
int poll_sockets(std::vector<WSAPOLLFD> &fds, int timeout_ms);

} // namespace machine::platform
