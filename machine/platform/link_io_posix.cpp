#include "machine/platform/link_io.h"
#include "machine/platform/posix_descriptors.h"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace machine::platform::link_io {

namespace {

short to_poll(short events) {
    return short((events & readable ? POLLIN : 0) | (events & writable ? POLLOUT : 0) |
                 (events & hung_up ? POLLHUP : 0) | (events & failed ? POLLERR : 0));
}

short from_poll(short revents) {
    return short((revents & POLLIN ? readable : 0) | (revents & POLLOUT ? writable : 0) |
                 (revents & POLLHUP ? hung_up : 0) | (revents & POLLERR ? failed : 0));
}

} // namespace

Wait wait(std::vector<Polled> &fds, int timeout_ms) {
    std::vector<pollfd> polled;
    polled.reserve(fds.size());
    for (const auto &entry : fds)
        polled.push_back({entry.fd, to_poll(entry.events), 0});
    if (::poll(polled.data(), polled.size(), timeout_ms) < 0)
        return errno == EINTR ? Wait::interrupted : Wait::failed;
    for (std::size_t i = 0; i < fds.size(); ++i)
        fds[i].revents = from_poll(polled[i].revents);
    return Wait::done;
}

void make_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

std::ptrdiff_t read(int fd, char *data, std::size_t size) {
    return ::read(fd, data, size);
}

std::ptrdiff_t write(int fd, const char *data, std::size_t size) {
    return ::write(fd, data, size);
}

std::ptrdiff_t receive(int fd, char *data, std::size_t size) {
    return ::recv(fd, data, size, 0);
}

std::ptrdiff_t send(int fd, const char *data, std::size_t size) {
    return ::send(fd, data, size, posix::no_sigpipe);
}

std::ptrdiff_t receive_from(int fd, char *data, std::size_t size, std::string &address) {
    sockaddr_storage from{};
    socklen_t length = sizeof from;
    auto n = ::recvfrom(fd, data, size, 0, reinterpret_cast<sockaddr *>(&from), &length);
    if (n >= 0)
        address.assign(reinterpret_cast<const char *>(&from), length);
    return n;
}

std::ptrdiff_t send_to(int fd, const char *data, std::size_t size, const std::string &address) {
    return ::sendto(fd, data, size, posix::no_sigpipe,
                    reinterpret_cast<const sockaddr *>(address.data()), socklen_t(address.size()));
}

bool would_block() {
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

int accept(int listener) {
    return posix::accept_socket(listener, posix::Blocking::no);
}

void shutdown_sending(int fd) {
    ::shutdown(fd, SHUT_WR);
}

void close(int fd) {
    ::close(fd);
}

} // namespace machine::platform::link_io
