#include "platform/socket_io.h"

#include "machine/errors.h"
#include "platform/posix_descriptors.h"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>

namespace machine::platform {

void wait_ready(std::vector<Watch> &watches, std::chrono::milliseconds timeout) {
    std::vector<pollfd> polled;
    for (auto &watch : watches) {
        polled.push_back(
            {watch.fd, short((watch.read ? POLLIN : 0) | (watch.write ? POLLOUT : 0)), 0});
        watch.readable = watch.writable = false;
    }
    if (::poll(polled.data(), polled.size(), int(timeout.count())) < 0) {
        if (errno == EINTR)
            return;
        throw SystemError("cannot wait on a connection", errno);
    }
    for (std::size_t i = 0; i < polled.size(); ++i) {
        if (watches[i].fd < 0)
            continue;
        watches[i].readable = polled[i].revents & (POLLIN | POLLHUP | POLLERR);
        watches[i].writable = polled[i].revents & (POLLOUT | POLLERR);
    }
}

std::optional<std::size_t> send_available(int fd, const char *data, std::size_t size) {
    for (;;) {
        auto n = ::send(fd, data, size, MSG_DONTWAIT | posix::no_sigpipe);
        if (n >= 0)
            return std::size_t(n);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return std::nullopt;
    }
}

std::optional<std::size_t> receive_available(int fd, char *buffer, std::size_t size) {
    for (;;) {
        auto n = ::recv(fd, buffer, size, MSG_DONTWAIT);
        if (n >= 0)
            return std::size_t(n);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return std::nullopt;
        return 0;
    }
}

void shutdown_sending(int fd) {
    ::shutdown(fd, SHUT_WR);
}

} // namespace machine::platform
