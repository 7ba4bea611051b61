#include "platform/unix_socket.h"

#include "machine/errors.h"
#include "platform/windows_error.h"
#include "platform/winsock.h"

#include <afunix.h>
#include <algorithm>
#include <cstring>
#include <io.h>
#include <memory>
#include <mswsock.h> // SIO_UDP_CONNRESET
#include <ws2tcpip.h>

namespace machine::platform {

namespace {

// Paths in messages, and in sockaddr_un, as UTF-8 (what Windows' AF_UNIX expects).
std::string utf8(const std::filesystem::path &path) {
    auto text = path.u8string();
    return std::string(text.begin(), text.end());
}

sockaddr_un unix_address(const std::filesystem::path &path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    auto text = utf8(path);
    if (text.size() >= sizeof address.sun_path)
        throw HostNotReady("socket path is too long for the system: " + text,
                           "set XDG_RUNTIME_DIR to a shorter folder");
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    return address;
}

// A unix stream socket, or a SystemError that says when the system has none (before Windows 10
// 1803, and under Wine).
Fd unix_socket(const std::string &path) {
    Fd fd(int(new_socket(AF_UNIX, SOCK_STREAM, 0)));
    if (fd)
        return fd;
    auto code = DWORD(WSAGetLastError());
    if (code == WSAEAFNOSUPPORT || code == WSAEPROTONOSUPPORT || code == WSAESOCKTNOSUPPORT)
        throw_windows_error("cannot make a unix socket for " + path +
                                ": this system has no AF_UNIX (Windows 10 1803 or later has)",
                            code);
    throw_windows_error("cannot make a socket for " + path, code);
}

// Waits until `socket` takes more (a write_all on a non-blocking socket).
void wait_writable(SOCKET socket) {
    std::vector<WSAPOLLFD> polled{{socket, POLLOUT, 0}};
    if (poll_sockets(polled, -1) == SOCKET_ERROR)
        throw_windows_error("cannot wait on a socket", WSAGetLastError());
}

void close_fd(int fd, FdKind kind) {
    if (fd < 0)
        return;
    if (kind == FdKind::socket)
        closesocket(as_socket(fd));
    else
        _close(fd);
}

bool same_address(const sockaddr_in &a, const sockaddr_in &b) {
    return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

} // namespace

Fd &Fd::operator=(Fd &&other) noexcept {
    if (this != &other) {
        close_fd(fd_, kind_);
        kind_ = other.kind_;
        fd_ = other.release();
    }
    return *this;
}

Fd::~Fd() {
    close_fd(fd_, kind_);
}

void remove_runtime_file(const std::filesystem::path &path) {
    // Opened as itself (not what a link leads to) and with the right to delete it, so what is
    // checked is what is deleted: nothing can be swapped in between. No owner check as on POSIX:
    // the runtime folder is in the user's profile, which other users cannot write to; what could
    // be planted there is a link, which this refuses.
    WinHandle file(CreateFileW(path.c_str(), DELETE | FILE_READ_ATTRIBUTES,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                               OPEN_EXISTING,
                               FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    FILE_ATTRIBUTE_TAG_INFO info{};
    if (!file ||
        !GetFileInformationByHandleEx(file.get(), FileAttributeTagInfo, &info, sizeof info))
        return; // nothing there, or nothing we may touch (as unlink() failing is on POSIX)
    // An AF_UNIX socket is a reparse point of its own kind; any other is a link or a junction.
    if ((info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) &&
        info.ReparseTag != IO_REPARSE_TAG_AF_UNIX)
        throw HostNotReady(utf8(path) + " is a link (a reparse point); refusing to use it",
                           "remove it by hand after checking who made it");
    if (info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        return; // unlink() leaves a folder alone too
    FILE_DISPOSITION_INFO dispose{TRUE};
    SetFileInformationByHandle(file.get(), FileDispositionInfo, &dispose, sizeof dispose);
}

UnixListener::UnixListener(const std::filesystem::path &path) : path_(path) {
    auto address = unix_address(path);
    remove_runtime_file(path);
    fd_ = unix_socket(utf8(path));
    // There is no umask to set: the socket file takes its folder's ACL, and the runtime folder
    // is the user's own, which is what mode 0600 gives on POSIX.
    if (bind(as_socket(fd_.get()), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        throw_windows_error("cannot listen on " + utf8(path), WSAGetLastError());
    if (listen(as_socket(fd_.get()), SOMAXCONN) != 0)
        throw_windows_error("cannot listen on " + utf8(path), WSAGetLastError());
}

UnixListener::~UnixListener() {
    DeleteFileW(path_.c_str());
}

Fd UnixListener::accept(Clock::time_point deadline) {
    if (!wait_readable(fd_.get(), deadline))
        return Fd();
    Fd client(int(::accept(as_socket(fd_.get()), nullptr, nullptr)));
    if (!client)
        throw_windows_error("cannot accept on " + utf8(path_), WSAGetLastError());
    // Not inherited by child processes, as accept4(SOCK_CLOEXEC) makes it on POSIX.
    SetHandleInformation(reinterpret_cast<HANDLE>(as_socket(client.get())), HANDLE_FLAG_INHERIT, 0);
    return client;
}

Fd connect_unix(const std::filesystem::path &path) {
    auto address = unix_address(path);
    auto fd = unix_socket(utf8(path));
    if (connect(as_socket(fd.get()), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        throw_windows_error("cannot connect to " + utf8(path), WSAGetLastError());
    return fd;
}

namespace {

// One address: connects without blocking, then waits for the answer until `deadline`.
bool connects_by(const addrinfo &address, Clock::time_point deadline) {
    WinSocket socket(new_socket(address.ai_family, SOCK_STREAM, 0));
    if (!socket || !set_nonblocking(socket.get()))
        return false;
    if (connect(socket.get(), address.ai_addr, int(address.ai_addrlen)) == 0)
        return true;
    if (WSAGetLastError() != WSAEWOULDBLOCK)
        return false;
    // select(), not WSAPoll: before Windows 10 2004 WSAPoll never reports a connect() that
    // failed, so a closed port would take the whole timeout; select() puts it in `failed`.
    fd_set connected, failed;
    FD_ZERO(&connected);
    FD_ZERO(&failed);
    FD_SET(socket.get(), &connected);
    FD_SET(socket.get(), &failed);
    auto micro = std::max<long long>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count());
    timeval limit{long(micro / 1000000), long(micro % 1000000)};
    if (select(0, nullptr, &connected, &failed, &limit) <= 0)
        return false;
    return FD_ISSET(socket.get(), &connected) && !FD_ISSET(socket.get(), &failed);
}

} // namespace

bool tcp_port_answers(const std::string &host, int port, std::chrono::milliseconds timeout) {
    start_winsock();
    auto deadline = Clock::now() + timeout;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0)
        return false;
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    // Each address in turn: a name such as localhost may come first as ::1 and answer on
    // 127.0.0.1 alone.
    for (auto *address = found; address; address = address->ai_next)
        if (connects_by(*address, deadline))
            return true;
    return false;
}

bool wait_readable(int fd, Clock::time_point deadline) {
    std::vector<WSAPOLLFD> polled{{as_socket(fd), POLLIN, 0}};
    int rc = poll_sockets(polled, milliseconds_until(deadline));
    if (rc == SOCKET_ERROR)
        throw_windows_error("cannot wait on a socket", WSAGetLastError());
    return rc > 0;
}

std::string read_line(int fd, Clock::time_point deadline, std::string &buffer, bool &eof) {
    eof = false;
    for (;;) {
        auto newline = buffer.find('\n');
        if (newline != std::string::npos) {
            auto line = buffer.substr(0, newline);
            buffer.erase(0, newline + 1);
            return line;
        }
        if (!wait_readable(fd, deadline))
            throw Timeout("timed out waiting for a reply");
        char chunk[4096];
        int n = recv(as_socket(fd), chunk, sizeof chunk, 0);
        if (n < 0 && WSAGetLastError() == WSAEWOULDBLOCK)
            continue; // a non-blocking socket that had nothing after all
        if (n < 0)
            throw_windows_error("cannot read from a socket", WSAGetLastError());
        if (n == 0) {
            eof = true;
            auto rest = buffer;
            buffer.clear();
            return rest;
        }
        buffer.append(chunk, std::size_t(n));
    }
}

void write_all(int fd, const std::string &data) {
    std::size_t written = 0;
    while (written < data.size()) {
        auto size = int(std::min<std::size_t>(data.size() - written, 1 << 30));
        int n = send(as_socket(fd), data.data() + written, size, 0); // Windows has no SIGPIPE
        if (n < 0 && WSAGetLastError() == WSAEWOULDBLOCK) {
            wait_writable(as_socket(fd));
            continue;
        }
        if (n < 0)
            throw_windows_error("cannot write to a socket", WSAGetLastError());
        written += std::size_t(n);
    }
}

void write_with_descriptor(int, const std::string &, int) {
    throw SystemError("cannot pass a file over a socket", ENOTSUP,
                      "Windows passes no files over AF_UNIX");
}

Fd listen_loopback(const std::string &protocol, int port, Loopback loopback) {
    bool udp = protocol == "udp", ipv6 = loopback == Loopback::ipv6;
    Fd fd(int(new_socket(ipv6 ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM,
                         udp ? IPPROTO_UDP : IPPROTO_TCP)));
    if (!fd && ipv6 && WSAGetLastError() == WSAEAFNOSUPPORT)
        return Fd(); // a host without IPv6
    if (!fd)
        throw_windows_error("cannot make a socket", WSAGetLastError());
    auto socket = as_socket(fd.get());
    // Not SO_REUSEADDR as on POSIX: on Windows it lets any later socket bind the same port too
    // and take its connections or datagrams from us. SO_EXCLUSIVEADDRUSE refuses every such bind;
    // a port given up by a container (its connections in TIME_WAIT) is free at once here anyway.
    int on = 1;
    setsockopt(socket, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char *>(&on),
               sizeof on);
    if (udp) {
        // Otherwise a datagram we sent to a sender that has gone away (ICMP port unreachable)
        // fails the socket's next recvfrom() with WSAECONNRESET, as if the port were closed.
        BOOL report = FALSE;
        DWORD bytes = 0;
        WSAIoctl(socket, SIO_UDP_CONNRESET, &report, sizeof report, nullptr, 0, &bytes, nullptr,
                 nullptr);
    }
    sockaddr_storage address{};
    int length = 0;
    if (ipv6) {
        auto &in6 = reinterpret_cast<sockaddr_in6 &>(address);
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons(u_short(port));
        in6.sin6_addr.s6_addr[15] = 1; // ::1
        length = sizeof in6;
    } else {
        auto &in = reinterpret_cast<sockaddr_in &>(address);
        in.sin_family = AF_INET;
        in.sin_port = htons(u_short(port));
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        length = sizeof in;
    }
    int bound = bind(socket, reinterpret_cast<sockaddr *>(&address), length);
    if (bound != 0 && ipv6 && WSAGetLastError() == WSAEADDRNOTAVAIL)
        return Fd(); // IPv6 without its loopback address: nothing to listen on
    if (bound != 0 || (!udp && listen(socket, SOMAXCONN) != 0) || !set_nonblocking(socket))
        throw_windows_error(std::string("cannot listen on ") + (ipv6 ? "[::1]:" : "127.0.0.1:") +
                                std::to_string(port) + " (" + protocol + ")",
                            WSAGetLastError());
    return fd;
}

std::pair<WinSocket, WinSocket> loopback_socket_pair() {
    WinSocket listener(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    if (!listener)
        throw_windows_error("cannot make a socket", WSAGetLastError());
    int on = 1; // nobody else may bind our port while it listens
    setsockopt(listener.get(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char *>(&on),
               sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    if (bind(listener.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        listen(listener.get(), 4) != 0 ||
        getsockname(listener.get(), reinterpret_cast<sockaddr *>(&address), &length) != 0)
        throw_windows_error("cannot make a socket pair", WSAGetLastError());
    WinSocket connected(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    sockaddr_in ours{};
    length = sizeof ours;
    if (!connected ||
        connect(connected.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        getsockname(connected.get(), reinterpret_cast<sockaddr *>(&ours), &length) != 0)
        throw_windows_error("cannot make a socket pair", WSAGetLastError());
    // Any local process may connect to the listener too: take only our own connection.
    for (int attempt = 0; attempt < 16; ++attempt) {
        sockaddr_in peer{};
        length = sizeof peer;
        WinSocket accepted(::accept(listener.get(), reinterpret_cast<sockaddr *>(&peer), &length));
        if (!accepted)
            throw_windows_error("cannot make a socket pair", WSAGetLastError());
        if (!same_address(peer, ours))
            continue;
        SetHandleInformation(reinterpret_cast<HANDLE>(accepted.get()), HANDLE_FLAG_INHERIT, 0);
        // Each write at once: Nagle's algorithm would hold a small one back until the last
        // one's ACK, which Windows delays by up to 200 ms.
        for (SOCKET socket : {accepted.get(), connected.get()})
            setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&on),
                       sizeof on);
        return {std::move(accepted), std::move(connected)};
    }
    throw SystemError("cannot make a socket pair", WSAECONNREFUSED,
                      "other programs kept connecting to it");
}

// Windows has no pipe WSAPoll can wait on: the two ends are a loopback socket pair.
WakePipe::WakePipe() {
    auto [reader, writer] = loopback_socket_pair();
    if (!set_nonblocking(reader.get()) || !set_nonblocking(writer.get()))
        throw_windows_error("cannot make a wake-up socket pair", WSAGetLastError());
    read_ = Fd(int(reader.release()));
    write_ = Fd(int(writer.release()));
}

void WakePipe::wake() {
    char byte = 1;
    send(as_socket(write_.get()), &byte, 1, 0); // full: it is awake already
}

void WakePipe::drain() {
    char buffer[64];
    while (recv(as_socket(read_.get()), buffer, sizeof buffer, 0) > 0) {
    }
}

std::pair<Fd, Fd> stream_socket_pair() {
    auto [one, other] = loopback_socket_pair();
    return {Fd(int(one.release())), Fd(int(other.release()))};
}

} // namespace machine::platform
