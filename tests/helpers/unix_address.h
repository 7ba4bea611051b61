#pragma once
// The sockaddr_un of a path, for tests that bind or connect unix sockets by hand.
#include <cstring>
#include <filesystem>
#include <sys/socket.h>
#include <sys/un.h>

namespace machine::test {

inline sockaddr_un unix_address(const std::filesystem::path &path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    return address;
}

} // namespace machine::test
