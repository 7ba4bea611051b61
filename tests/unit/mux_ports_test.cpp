// Published ports over machine-mux, both ends in one process over a socketpair: TCP and UDP
// clients on the host's 127.0.0.1 (and ::1) reach services standing in for the guest's ports, each
// UDP sender gets its own replies, and a port taken away stops listening. (The guest agent's own
// dialing: tests/agent/port_dial_test.cpp.)
#include "../helpers/temp_dir.h"
#include "machine/mux/mux_frame.h"
#include "machine/mux_ports.h"
#include "platform/host.h"
#include "platform/posix_descriptors.h"

#include <arpa/inet.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace machine;

namespace {

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

sockaddr_in6 loopback6(int port) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(std::uint16_t(port));
    address.sin6_addr = in6addr_loopback;
    return address;
}

int bound(int type, int port = 0) {
    int fd = platform::posix::new_socket(AF_INET, type);
    auto address = loopback(port);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    return fd;
}

int port_of(int fd) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    return ntohs(address.sin_port);
}

// A client of the host's 127.0.0.1:port (AF_INET) or [::1]:port (AF_INET6); -1 if refused.
int connected(int type, int port, int family = AF_INET) {
    int fd = platform::posix::new_socket(family, type);
    sockaddr_storage address{};
    socklen_t length = sizeof(sockaddr_in);
    if (family == AF_INET6) {
        reinterpret_cast<sockaddr_in6 &>(address) = loopback6(port);
        length = sizeof(sockaddr_in6);
    } else {
        reinterpret_cast<sockaddr_in &>(address) = loopback(port);
    }
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), length) != 0) {
        ::close(fd);
        return -1;
    }
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

bool host_has_ipv6() {
    int fd = platform::posix::new_socket(AF_INET6, SOCK_STREAM);
    auto address = loopback6(0);
    bool has = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    if (fd >= 0)
        ::close(fd);
    return has;
}

// The guest's services: TCP answers "tcp:" and what it read, at its EOF; UDP answers each
// datagram with "udp:" and the datagram.
struct GuestServices {
    int tcp = bound(SOCK_STREAM), udp = bound(SOCK_DGRAM);
    std::thread tcp_thread, udp_thread;
    GuestServices() {
        REQUIRE(::listen(tcp, 16) == 0);
        tcp_thread = std::thread([this] {
            for (int fd; (fd = ::accept(tcp, nullptr, nullptr)) >= 0;) {
                std::string request;
                char buffer[4096];
                for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
                    request.append(buffer, std::size_t(n));
                auto reply = "tcp:" + request;
                [[maybe_unused]] auto sent = ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
                ::close(fd);
            }
        });
        udp_thread = std::thread([this] {
            char buffer[65536];
            sockaddr_storage from{};
            for (;;) {
                socklen_t length = sizeof from;
                auto n = ::recvfrom(udp, buffer, sizeof buffer, 0,
                                    reinterpret_cast<sockaddr *>(&from), &length);
                if (n <= 0)
                    return;
                auto reply = "udp:" + std::string(buffer, std::size_t(n));
                ::sendto(udp, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr *>(&from),
                         length);
            }
        });
    }
    ~GuestServices() {
        ::shutdown(tcp, SHUT_RDWR);
        ::close(tcp);
        ::shutdown(udp, SHUT_RDWR);
        ::close(udp);
        tcp_thread.join();
        udp_thread.join();
    }
};

struct PortLink {
    GuestServices services;
    MuxPorts ports;
    int ends[2];
    std::atomic<bool> running{true};
    std::thread host, guest;

    PortLink() {
        REQUIRE(platform::posix::socket_pair(ends) == 0);
        host = std::thread([this] {
            mux::EndpointOptions options;
            options.listeners = [this] { return ports.listeners(); };
            options.listeners_changed = ports.changed_fd();
            mux::Session session(ends[0], options);
            session.run([this] { return running.load(); });
        });
        guest = std::thread([this] {
            mux::EndpointOptions options;
            // The guest's loopback ports are these services, whatever port the host publishes.
            options.connect = [this](const std::string &target, std::string &error) {
                int fd =
                    target.rfind("tcp:", 0) == 0   ? connected(SOCK_STREAM, port_of(services.tcp))
                    : target.rfind("udp:", 0) == 0 ? connected(SOCK_DGRAM, port_of(services.udp))
                                                   : -1;
                if (fd < 0)
                    error = "refused " + target;
                return fd;
            };
            mux::Session session(ends[1], options);
            session.run([this] { return running.load(); });
        });
    }
    ~PortLink() {
        running = false;
        host.join();
        guest.join();
    }
};

std::string tcp_request(int port, const std::string &request, int family = AF_INET) {
    int fd = -1;
    for (int i = 0; i < 100 && fd < 0; ++i) { // the session picks a new listener up at once
        fd = connected(SOCK_STREAM, port, family);
        if (fd < 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(fd >= 0);
    REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size()));
    ::shutdown(fd, SHUT_WR);
    std::string reply;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        reply.append(buffer, std::size_t(n));
    ::close(fd);
    return reply;
}

std::string udp_exchange(int fd, const std::string &datagram) {
    REQUIRE(::send(fd, datagram.data(), datagram.size(), 0) == ssize_t(datagram.size()));
    char buffer[65536];
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, std::size_t(n)) : std::string();
}

} // namespace

TEST_CASE("published TCP and UDP ports on the host reach the guest's over machine-mux", "[mux]") {
    PortLink link;
    int tcp_port = platform::free_loopback_port(), udp_port = platform::free_loopback_port();
    REQUIRE(link.ports.add({"tcp", std::uint16_t(tcp_port)}).empty());
    REQUIRE(link.ports.add({"udp", std::uint16_t(udp_port)}).empty());
    CHECK(link.ports.add({"tcp", std::uint16_t(tcp_port)}).empty()); // already there: no error

    CHECK(tcp_request(tcp_port, "hello") == "tcp:hello");
    auto big = std::string(3 * 1024 * 1024, 'x'); // far over one stream's credit
    CHECK(tcp_request(tcp_port, big) == "tcp:" + big);

    // Two UDP senders: each gets its own answers, in order, datagram by datagram.
    int first = connected(SOCK_DGRAM, udp_port), second = connected(SOCK_DGRAM, udp_port);
    CHECK(udp_exchange(first, "one") == "udp:one");
    CHECK(udp_exchange(second, "two") == "udp:two");
    CHECK(udp_exchange(first, std::string(60000, 'd')) == "udp:" + std::string(60000, 'd'));
    ::close(first);
    ::close(second);

    // A port taken on the host is refused in one line; a removed one no longer listens.
    int taken = bound(SOCK_STREAM);
    REQUIRE(::listen(taken, 1) == 0);
    auto refused = link.ports.add({"tcp", std::uint16_t(port_of(taken))});
    CHECK(refused.find("taken") != std::string::npos);
    ::close(taken);
    link.ports.remove({"tcp", std::uint16_t(tcp_port)});
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
        int fd = connected(SOCK_STREAM, tcp_port);
        gone = fd < 0;
        if (fd >= 0)
            ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(gone);
}

TEST_CASE("a published port answers on ::1 too, where clients take localhost to be ::1", "[mux]") {
    if (!host_has_ipv6()) {
        WARN("this host has no IPv6 loopback: 127.0.0.1 is all a port listens on");
        return;
    }
    PortLink link;
    int tcp_port = platform::free_loopback_port(), udp_port = platform::free_loopback_port();
    REQUIRE(link.ports.add({"tcp", std::uint16_t(tcp_port)}).empty());
    REQUIRE(link.ports.add({"udp", std::uint16_t(udp_port)}).empty());
    CHECK(tcp_request(tcp_port, "six", AF_INET6) == "tcp:six");
    CHECK(tcp_request(tcp_port, "four") == "tcp:four");
    int sender = connected(SOCK_DGRAM, udp_port, AF_INET6);
    REQUIRE(sender >= 0);
    CHECK(udp_exchange(sender, "six") == "udp:six");
    ::close(sender);

    // Another program on [::1]:PORT would take such clients: the port is refused as a whole.
    int other = platform::posix::new_socket(AF_INET6, SOCK_STREAM);
    auto six = loopback6(0);
    REQUIRE(::bind(other, reinterpret_cast<sockaddr *>(&six), sizeof six) == 0);
    REQUIRE(::listen(other, 1) == 0);
    sockaddr_in6 bound_to{};
    socklen_t length = sizeof bound_to;
    ::getsockname(other, reinterpret_cast<sockaddr *>(&bound_to), &length);
    int other_port = ntohs(bound_to.sin6_port);
    CHECK(link.ports.add({"tcp", std::uint16_t(other_port)}).find("taken") != std::string::npos);
    int four = connected(SOCK_STREAM, other_port);
    CHECK(four < 0); // nor kept on 127.0.0.1
    if (four >= 0)
        ::close(four);
    ::close(other);

    link.ports.remove({"tcp", std::uint16_t(tcp_port)});
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
        int fd = connected(SOCK_STREAM, tcp_port, AF_INET6);
        gone = fd < 0;
        if (fd >= 0)
            ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(gone);
}
