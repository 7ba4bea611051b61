#pragma once
// Waiting on many descriptors at once and moving what a socket has without blocking: for loops
// that carry many streams in one thread (the forwarder's SSH transport, `machine ssh`'s relay).
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

namespace machine::platform {

// One descriptor to wait on: what for, and after the wait what it is ready for.
struct Watch {
    int fd = -1; // a negative one is left out
    bool read = false;
    bool write = false;
    bool readable = false; // readable, at its end, or failed: a read will not block
    bool writable = false;
};

// Waits up to `timeout` until one of `watches` is ready, and sets each one's readable and
// writable. A signal ends the wait early with none ready. Throws SystemError.
void wait_ready(std::vector<Watch> &watches, std::chrono::milliseconds timeout);

// Waits up to `timeout` until one of `fds` is readable; which ones are.
std::vector<bool> wait_any_readable(const std::vector<int> &fds, std::chrono::milliseconds timeout);

// Sends what the socket takes now, never waiting and never raising SIGPIPE: the bytes sent (0 when
// it is full), or nullopt when the peer is gone.
std::optional<std::size_t> send_available(int fd, const char *data, std::size_t size);

// Receives what is there, never waiting: the bytes read (0 at the end or on a failure), or
// nullopt when nothing has come yet.
std::optional<std::size_t> receive_available(int fd, char *buffer, std::size_t size);

// Half-closes a stream socket: the peer reads to its end, and still may send.
void shutdown_sending(int fd);

} // namespace machine::platform
