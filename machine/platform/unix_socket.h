#pragma once
// File descriptors and unix-domain sockets, with deadlines instead of blocking forever.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <utility>

namespace machine::platform {

using Clock = std::chrono::steady_clock;

// The milliseconds left until `deadline`: 0 once it passed, at most 2^30 (a wait's timeout).
inline int milliseconds_until(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() <= 0 ? 0 : int(std::min<long long>(left.count(), 1 << 30));
}

// What an Fd holds on Windows, where the two are closed differently: a Winsock socket, or a C
// runtime descriptor (files, pipes, the standard streams). On POSIX both are file descriptors.
enum class FdKind { socket, file };

// Owns one file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd, FdKind kind = FdKind::socket) : fd_(fd), kind_(kind) {}
    Fd(Fd &&other) noexcept : kind_(other.kind_) { fd_ = other.release(); }
    Fd &operator=(Fd &&other) noexcept;
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd();

    int get() const { return fd_; }
    FdKind kind() const { return kind_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_ = -1;
    FdKind kind_ = FdKind::socket;
};

// A listening unix socket at `path` (mode 0600), removed again when the object dies.
class UnixListener {
public:
    // Replaces a stale socket at `path`, but refuses anything else found there.
    explicit UnixListener(const std::filesystem::path &path);
    ~UnixListener();
    UnixListener(const UnixListener &) = delete;
    UnixListener &operator=(const UnixListener &) = delete;

    // An accepted connection, or an empty Fd when `deadline` passes first.
    Fd accept(Clock::time_point deadline);
    int fd() const { return fd_.get(); }

private:
    std::filesystem::path path_;
    Fd fd_;
};

// Connects to a unix socket; throws SystemError (errno ENOENT/ECONNREFUSED when nobody listens;
// on Windows before 10 1803, and under Wine, one that says the system has no AF_UNIX).
Fd connect_unix(const std::filesystem::path &path);

// A connected pair of stream sockets, close-on-exec: for a thread that relays a
// stream which is not a descriptor (a libvirt stream) to code that polls descriptors.
std::pair<Fd, Fd> stream_socket_pair();

// The host's loopback address in either IP version: 127.0.0.1 or ::1.
enum class Loopback { ipv4, ipv6 };

// A socket on 127.0.0.1:port or [::1]:port (never another address), listening ("tcp") or bound
// ("udp"), non-blocking and close-on-exec; for ::1 on a host without IPv6, an empty Fd. Throws
// SystemError (EADDRINUSE: the port is taken).
Fd listen_loopback(const std::string &protocol, int port, Loopback address = Loopback::ipv4);

// A pipe one thread writes to so that another's poll() wakes up. On Windows, where WSAPoll sees
// no pipe, a connected pair of loopback TCP sockets.
class WakePipe {
public:
    WakePipe();
    int read_fd() const { return read_.get(); }
    void wake();  // from any thread
    void drain(); // by the woken one
private:
    Fd read_, write_;
};

// True when a TCP connection to host:port (a name or an address) succeeds within `timeout`.
bool tcp_port_answers(const std::string &host, int port, std::chrono::milliseconds timeout);

// Waits until `fd` is readable; false when `deadline` passes first.
bool wait_readable(int fd, Clock::time_point deadline);

// Reads up to and including '\n'; returns what was read (without the newline) or throws
// Timeout / SystemError. An empty string with `eof` set means the peer closed.
std::string read_line(int fd, Clock::time_point deadline, std::string &buffer, bool &eof);

void write_all(int fd, const std::string &data);

// Writes `data` with a copy of `descriptor` attached (SCM_RIGHTS), as QEMU's `getfd` takes a file.
// POSIX only: on Windows it throws SystemError (no descriptor passing over AF_UNIX there).
void write_with_descriptor(int fd, const std::string &data, int descriptor);

// Removes a stale socket or pid file; refuses (HostNotReady) to touch a symlink or a file owned
// by someone else, so a planted link cannot make us delete or follow anything. On Windows it
// refuses every reparse point but an AF_UNIX socket's (links and junctions).
void remove_runtime_file(const std::filesystem::path &path);

} // namespace machine::platform
