#include "machine/platform/link_io.h"

#include "platform/winsock.h"

#include <algorithm>

namespace machine::platform::link_io {

namespace {

int chunk(std::size_t size) {
    return int(std::min<std::size_t>(size, 1 << 30));
}

SOCKET socket_of(int fd) {
    return fd < 0 ? INVALID_SOCKET : as_socket(fd);
}

} // namespace

// Through poll_sockets, which makes WSAPoll report as poll() does (platform/winsock.h).
Wait wait(std::vector<Polled> &fds, int timeout_ms) {
    std::vector<WSAPOLLFD> polled;
    polled.reserve(fds.size());
    for (const auto &entry : fds) // WSAPoll refuses POLLHUP and POLLERR asked for: never ask
        polled.push_back({socket_of(entry.fd),
                          short((entry.events & readable ? POLLIN : 0) |
                                (entry.events & writable ? POLLOUT : 0)),
                          0});
    if (poll_sockets(polled, timeout_ms) == SOCKET_ERROR)
        return Wait::failed;
    for (std::size_t i = 0; i < fds.size(); ++i) {
        auto revents = polled[i].revents;
        fds[i].revents =
            short((revents & POLLIN ? readable : 0) | (revents & POLLOUT ? writable : 0) |
                  (revents & POLLHUP ? hung_up : 0) | (revents & POLLERR ? failed : 0));
    }
    return Wait::done;
}

void make_nonblocking(int fd) {
    set_nonblocking(as_socket(fd));
}

std::ptrdiff_t read(int fd, char *data, std::size_t size) {
    return receive(fd, data, size);
}

std::ptrdiff_t write(int fd, const char *data, std::size_t size) {
    return send(fd, data, size);
}

std::ptrdiff_t receive(int fd, char *data, std::size_t size) {
    return ::recv(as_socket(fd), data, chunk(size), 0);
}

std::ptrdiff_t send(int fd, const char *data, std::size_t size) {
    return ::send(as_socket(fd), data, chunk(size), 0); // Windows has no SIGPIPE
}

std::ptrdiff_t receive_from(int fd, char *data, std::size_t size, std::string &address) {
    sockaddr_storage from{};
    int length = sizeof from;
    int n = ::recvfrom(as_socket(fd), data, chunk(size), 0, reinterpret_cast<sockaddr *>(&from),
                       &length);
    if (n >= 0)
        address.assign(reinterpret_cast<const char *>(&from), std::size_t(length));
    return n;
}

std::ptrdiff_t send_to(int fd, const char *data, std::size_t size, const std::string &address) {
    return ::sendto(as_socket(fd), data, chunk(size), 0,
                    reinterpret_cast<const sockaddr *>(address.data()), int(address.size()));
}

bool would_block() {
    auto error = WSAGetLastError();
    return error == WSAEWOULDBLOCK || error == WSAEINTR;
}

int accept(int listener) {
    SOCKET client = ::accept(as_socket(listener), nullptr, nullptr);
    if (client == INVALID_SOCKET)
        return -1;
    // As accept4(SOCK_CLOEXEC | SOCK_NONBLOCK): an API listener is a blocking socket, whose
    // accepted ones would be too.
    SetHandleInformation(reinterpret_cast<HANDLE>(client), HANDLE_FLAG_INHERIT, 0);
    set_nonblocking(client);
    return int(client);
}

void shutdown_sending(int fd) {
    ::shutdown(as_socket(fd), SD_SEND);
}

void close(int fd) {
    ::closesocket(as_socket(fd));
}

} // namespace machine::platform::link_io
