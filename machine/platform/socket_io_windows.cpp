#include "platform/socket_io.h"

#include "platform/windows_error.h"
#include "platform/winsock.h"

#include <algorithm>

namespace machine::platform {

namespace {

int chunk(std::size_t size) {
    return int(std::min<std::size_t>(size, 1 << 30));
}

} // namespace

// WSAPoll through poll_sockets, which makes it report as poll() does (platform/winsock.h): a
// peer's FIN wakes only a reader. There are no signals to end the wait early on Windows.
void wait_ready(std::vector<Watch> &watches, std::chrono::milliseconds timeout) {
    std::vector<WSAPOLLFD> polled;
    for (auto &watch : watches) {
        polled.push_back({as_socket(watch.fd),
                          short((watch.read ? POLLIN : 0) | (watch.write ? POLLOUT : 0)), 0});
        watch.readable = watch.writable = false;
    }
    if (poll_sockets(polled, int(timeout.count())) == SOCKET_ERROR)
        throw_windows_error("cannot wait on a connection", WSAGetLastError());
    for (std::size_t i = 0; i < polled.size(); ++i) {
        if (watches[i].fd < 0)
            continue;
        watches[i].readable = polled[i].revents & (POLLIN | POLLHUP | POLLERR);
        watches[i].writable = polled[i].revents & (POLLOUT | POLLERR);
    }
}

// Windows has no MSG_DONTWAIT: the socket is switched to non-blocking mode, and stays so (every
// user of these sockets waits in wait_ready before it moves bytes).
std::optional<std::size_t> send_available(int fd, const char *data, std::size_t size) {
    auto socket = as_socket(fd);
    if (!set_nonblocking(socket))
        return std::nullopt;
    int n = send(socket, data, chunk(size), 0); // Windows has no SIGPIPE
    if (n >= 0)
        return std::size_t(n);
    if (WSAGetLastError() == WSAEWOULDBLOCK)
        return 0;
    return std::nullopt;
}

std::optional<std::size_t> receive_available(int fd, char *buffer, std::size_t size) {
    auto socket = as_socket(fd);
    if (!set_nonblocking(socket))
        return 0;
    int n = recv(socket, buffer, chunk(size), 0);
    if (n >= 0)
        return std::size_t(n);
    if (WSAGetLastError() == WSAEWOULDBLOCK)
        return std::nullopt;
    return 0;
}

void shutdown_sending(int fd) {
    shutdown(as_socket(fd), SD_SEND);
}

} // namespace machine::platform
