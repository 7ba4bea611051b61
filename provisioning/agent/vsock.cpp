#include "provisioning/agent/vsock.h"

#include "provisioning/agent/errors.h"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h> // first: linux/vm_sockets.h uses its sockaddr
#include <unistd.h>

#include <linux/vm_sockets.h>

namespace machine::agent {

namespace {

sockaddr_vm address_of(std::uint32_t cid, std::uint32_t port) {
    sockaddr_vm address{};
    address.svm_family = AF_VSOCK;
    address.svm_cid = cid;
    address.svm_port = port;
    return address;
}

// Writes all of `data`; false when the peer went away.
bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data.remove_prefix(std::size_t(n));
    }
    return true;
}

} // namespace

UniqueFd vsock_connect(std::uint32_t cid, std::uint32_t port, std::chrono::milliseconds timeout) {
    UniqueFd fd(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd)
        return {}; // no vsock in this kernel
    auto address = address_of(cid, port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS)
            return {};
        pollfd waiting{fd.get(), POLLOUT, 0};
        int error = 0;
        socklen_t size = sizeof error;
        if (::poll(&waiting, 1, int(timeout.count())) != 1 ||
            ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0)
            return {};
    }
    // Blocking from here on: the callers write a line or read an answer.
    int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

UniqueFd vsock_listen(std::uint32_t port) {
    UniqueFd fd(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        throw SystemError("cannot make a vsock socket", errno);
    auto address = address_of(VMADDR_CID_ANY, port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        throw SystemError("cannot listen on vsock port " + std::to_string(port), errno);
    if (::listen(fd.get(), 16) != 0)
        throw SystemError("cannot listen on vsock port " + std::to_string(port), errno);
    return fd;
}

std::optional<std::string> vsock_http_get(std::uint32_t cid, std::uint32_t port,
                                          std::chrono::milliseconds timeout) {
    auto fd = vsock_connect(cid, port, timeout);
    if (!fd || !send_all(fd.get(), "GET / HTTP/1.0\r\nHost: d\r\n\r\n"))
        return std::nullopt;
    std::string answer;
    char buffer[16384];
    for (;;) {
        auto n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw SystemError("cannot read the config from vsock port " + std::to_string(port),
                              errno);
        if (n == 0)
            break;
        answer.append(buffer, std::size_t(n));
    }
    auto where = "vsock " + std::to_string(cid) + ":" + std::to_string(port);
    auto head_end = answer.find("\r\n\r\n");
    auto status_line = answer.substr(0, answer.find("\r\n"));
    if (head_end == std::string::npos || status_line.size() < 12 ||
        status_line.compare(0, 5, "HTTP/") != 0)
        throw AgentError("not an HTTP answer from " + where);
    if (status_line.compare(9, 3, "200") != 0)
        throw AgentError(where + " answered " + status_line.substr(9));
    return answer.substr(head_end + 4);
}

} // namespace machine::agent
