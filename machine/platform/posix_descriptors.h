#pragma once
// New sockets and pipes on the POSIX hosts, made the same way on Linux and macOS: never inherited
// by child processes, and never ending this process with SIGPIPE when the other end has gone.
// Linux does both atomically (SOCK_CLOEXEC, pipe2, accept4) and per send (MSG_NOSIGNAL); macOS
// has none of these, so the flags are set right after, the socket itself is marked SO_NOSIGPIPE,
// and children are spawned with POSIX_SPAWN_CLOEXEC_DEFAULT (posix_spawn.cpp), which closes the
// short window in which another thread's spawn could inherit a descriptor.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace machine::platform::posix {

// The flag for every send(): the socket itself says so on macOS.
#if defined(MSG_NOSIGNAL)
inline constexpr int no_sigpipe = MSG_NOSIGNAL;
#else
inline constexpr int no_sigpipe = 0;
#endif

enum class Blocking { yes, no };

namespace detail {

// Sets what Linux sets atomically; closes `fd` and returns -1 (errno kept) when that fails.
inline int finish(int fd, Blocking blocking, bool socket) {
    if (fd < 0)
        return fd;
    bool ok = ::fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
    if (ok && blocking == Blocking::no)
        ok = ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0;
#if defined(SO_NOSIGPIPE)
    int on = 1;
    if (ok && socket)
        ok = ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on) == 0;
#else
    (void)socket;
#endif
    if (ok)
        return fd;
    int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
}

} // namespace detail

// socket(2): the new descriptor, or -1 with errno.
inline int new_socket(int domain, int type, Blocking blocking = Blocking::yes) {
#if defined(SOCK_CLOEXEC)
    int fd =
        ::socket(domain, type | SOCK_CLOEXEC | (blocking == Blocking::no ? SOCK_NONBLOCK : 0), 0);
    return detail::finish(fd, Blocking::yes, true);
#else
    return detail::finish(::socket(domain, type, 0), blocking, true);
#endif
}

// accept(2) on `listener`: the new connection, or -1 with errno.
inline int accept_socket(int listener, Blocking blocking = Blocking::yes) {
#if defined(SOCK_CLOEXEC)
    int fd = ::accept4(listener, nullptr, nullptr,
                       SOCK_CLOEXEC | (blocking == Blocking::no ? SOCK_NONBLOCK : 0));
    return detail::finish(fd, Blocking::yes, true);
#else
    return detail::finish(::accept(listener, nullptr, nullptr), blocking, true);
#endif
}

// socketpair(2) of AF_UNIX stream sockets into `fds`: 0, or -1 with errno.
inline int socket_pair(int fds[2]) {
#if defined(SOCK_CLOEXEC)
    return ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
#else
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return -1;
    if (detail::finish(fds[0], Blocking::yes, true) < 0) {
        ::close(fds[1]);
        return -1;
    }
    if (detail::finish(fds[1], Blocking::yes, true) < 0) {
        ::close(fds[0]);
        return -1;
    }
    return 0;
#endif
}

// pipe(2) into `fds`: 0, or -1 with errno.
inline int make_pipe(int fds[2], Blocking blocking = Blocking::yes) {
#if defined(__linux__)
    return ::pipe2(fds, O_CLOEXEC | (blocking == Blocking::no ? O_NONBLOCK : 0));
#else
    if (::pipe(fds) != 0)
        return -1;
    if (detail::finish(fds[0], blocking, false) < 0) {
        ::close(fds[1]);
        return -1;
    }
    if (detail::finish(fds[1], blocking, false) < 0) {
        ::close(fds[0]);
        return -1;
    }
    return 0;
#endif
}

} // namespace machine::platform::posix
