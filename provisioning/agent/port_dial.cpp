#include "provisioning/agent/port_dial.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace machine::agent {

namespace {

// The port in "tcp:8080", or 0 when it is not a port from 1 to 65535.
int port_of(const std::string &target) {
    auto digits = target.substr(4);
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
        return 0;
    int port = std::stoi(digits);
    return port >= 1 && port <= 65535 ? port : 0;
}

} // namespace

bool is_port_target(const std::string &target) {
    return (target.rfind("tcp:", 0) == 0 || target.rfind("udp:", 0) == 0) && port_of(target) > 0;
}

int dial_port(const std::string &target, std::string &error) {
    if (!is_port_target(target)) {
        error = "unknown target " + target;
        return -1;
    }
    bool udp = target[0] == 'u';
    int fd = ::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("cannot make a socket: ") + std::strerror(errno);
        return -1;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(port_of(target)));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        error = "cannot connect to 127.0.0.1:" + target.substr(4) + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace machine::agent
