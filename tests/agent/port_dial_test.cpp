// The agent's end of a published port: which targets are ports, and a stream connected to the
// port on the guest's loopback (here: this host's).
#include "provisioning/agent/port_dial.h"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace machine::agent;

TEST_CASE("only tcp: and udp: with a port from 1 to 65535 are port targets", "[agent][ports]") {
    for (auto target : {"tcp:80", "udp:53", "tcp:65535", "udp:1"})
        CHECK(is_port_target(target));
    for (auto target : {"podman", "tcp:", "tcp:0", "tcp:65536", "udp:-1", "tcp:8o", "sctp:80",
                        "tcp:80 ", "tcp:999999", "TCP:80"})
        CHECK_FALSE(is_port_target(target));
    std::string error;
    CHECK(dial_port("podman", error) == -1);
    CHECK(error == "unknown target podman");
}

TEST_CASE("a port target connects to the port on the loopback, or says why not", "[agent][ports]") {
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr *>(&address), length) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) == 0);
    auto port = std::to_string(ntohs(address.sin_port));

    std::string error;
    int fd = dial_port("tcp:" + port, error);
    REQUIRE(fd >= 0);
    int accepted = ::accept(listener, nullptr, nullptr);
    CHECK(accepted >= 0);
    ::send(fd, "x", 1, MSG_NOSIGNAL);
    char byte = 0;
    CHECK(::read(accepted, &byte, 1) == 1);
    CHECK(byte == 'x');
    ::close(accepted);
    ::close(fd);
    ::close(listener); // nobody there now: refused, in words

    CHECK(dial_port("tcp:" + port, error) == -1);
    CHECK(error == "cannot connect to 127.0.0.1:" + port + ": Connection refused");
    int udp = dial_port("udp:" + port, error); // UDP connects without anyone listening
    CHECK(udp >= 0);
    ::close(udp);
}
