// A UDP echo server for the real-VM tests, built static so it runs in the preloaded busybox
// container (whose nc has no UDP): answers every datagram on PORT with the same bytes.
//   udp_echo PORT
#include <arpa/inet.h>
#include <cstdint>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    if (argc != 2)
        return 2;
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(std::atoi(argv[1])));
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        return 1;
    char buffer[65536];
    for (;;) {
        sockaddr_storage from{};
        socklen_t length = sizeof from;
        auto n =
            ::recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr *>(&from), &length);
        if (n >= 0)
            ::sendto(fd, buffer, std::size_t(n), 0, reinterpret_cast<sockaddr *>(&from), length);
    }
}
