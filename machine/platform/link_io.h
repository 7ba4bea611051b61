#pragma once
// The OS calls of a machine-mux session (machine/mux/mux_session.cpp) on the descriptors it is
// handed: waiting on many at once, moving bytes without blocking, accepting, closing. Built into
// machine_mux itself (machine/mux/CMakeLists.txt), not machine_platform: the guest agent builds
// machine/mux alone, with libc only, and includes this as "machine/platform/link_io.h".
// On Windows every descriptor here is a Winsock socket.
#include <cstddef>
#include <string>
#include <vector>

namespace machine::platform::link_io {

// What a descriptor is waited for, and after the wait what it got: poll()'s flags, spelled the
// same on every system.
enum Event : short { readable = 1, writable = 2, hung_up = 4, failed = 8 };

struct Polled {
    int fd = -1; // a negative one is left out
    short events = 0;
    short revents = 0;
};

enum class Wait { done, interrupted, failed }; // done: ready, or the time is up

// Waits up to `timeout_ms` until one of `fds` has one of its events.
Wait wait(std::vector<Polled> &fds, int timeout_ms);

void make_nonblocking(int fd);

// Each returns the bytes moved (0 for a read: the end), or -1: then would_block() says whether
// it was only that nothing could move now (or a signal came), and a wait should follow.
std::ptrdiff_t read(int fd, char *data, std::size_t size);        // a stream or a pipe
std::ptrdiff_t write(int fd, const char *data, std::size_t size); // a stream or a pipe
std::ptrdiff_t receive(int fd, char *data, std::size_t size);     // a socket
std::ptrdiff_t send(int fd, const char *data, std::size_t size);  // a socket, never SIGPIPE
// Datagrams, with the other end's address as its raw bytes (a sockaddr).
std::ptrdiff_t receive_from(int fd, char *data, std::size_t size, std::string &address);
std::ptrdiff_t send_to(int fd, const char *data, std::size_t size, const std::string &address);
bool would_block();

// A connection waiting on a listening socket, non-blocking and not inherited; -1 when none.
int accept(int listener);
// Half-closes a stream socket: the peer reads to its end, and still may send.
void shutdown_sending(int fd);
void close(int fd);

} // namespace machine::platform::link_io
