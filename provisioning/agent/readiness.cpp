#include "provisioning/agent/readiness.h"

#include "provisioning/agent/errors.h"
#include "provisioning/agent/text.h"
#include "provisioning/agent/unique_fd.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <thread>

namespace machine::agent {

namespace {

constexpr std::string_view marker_key = "podman-socket=";

std::vector<std::string> descriptions(const std::vector<Check> &checks) {
    std::vector<std::string> out;
    for (const auto &check : checks)
        out.push_back(check.description);
    return out;
}

} // namespace

void wait_until_ready(std::vector<Check> checks, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds interval) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        std::erase_if(checks, [](const Check &check) { return check.passed(); });
        if (checks.empty())
            return;
        if (std::chrono::steady_clock::now() >= deadline) {
            auto waited = timeout.count() % 1000 == 0
                              ? std::to_string(timeout.count() / 1000) + " s"
                              : std::to_string(timeout.count()) + " ms";
            throw Timeout("still waiting after " + waited + " for " +
                          join(descriptions(checks), ", "));
        }
        std::this_thread::sleep_for(interval);
    }
}

bool tcp_accepts(std::uint16_t port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
}

UniqueFd connect_unix(const std::filesystem::path &path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const auto &text = path.native();
    if (text.size() >= sizeof address.sun_path) {
        errno = ENAMETOOLONG;
        return UniqueFd();
    }
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd ||
        ::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        int error = errno; // closing the socket must not change it
        fd.reset();
        errno = error;
        return UniqueFd();
    }
    return fd;
}

bool unix_socket_accepts(const std::filesystem::path &path) {
    return static_cast<bool>(connect_unix(path));
}

void send_ready(const std::filesystem::path &port) {
    UniqueFd fd(::open(port.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC));
    if (!fd)
        throw SystemError("cannot open the ready port " + port.string(), errno);
    std::string_view message = "Ready\n";
    while (!message.empty()) {
        auto written = ::write(fd.get(), message.data(), message.size());
        if (written < 0) {
            if (errno == EINTR)
                continue;
            throw SystemError("cannot write to the ready port " + port.string(), errno);
        }
        message.remove_prefix(static_cast<std::size_t>(written));
    }
}

void notify_systemd(std::string_view state) {
    const char *socket_path = std::getenv("NOTIFY_SOCKET");
    if (!socket_path || !*socket_path)
        return;
    std::string_view name = socket_path;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (name.size() >= sizeof address.sun_path || (name.front() != '/' && name.front() != '@'))
        return;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name.front() == '@')
        address.sun_path[0] = '\0'; // an abstract socket
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd)
        ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr *>(&address), length);
}

std::string render_marker(const Readiness &readiness) {
    return std::string(marker_key) + readiness.podman_socket + "\n";
}

Readiness parse_marker(std::string_view text) {
    Readiness readiness;
    for (auto line : split(text, '\n')) {
        line = trim(line);
        if (line.substr(0, marker_key.size()) == marker_key)
            readiness.podman_socket = std::string(line.substr(marker_key.size()));
    }
    return readiness;
}

} // namespace machine::agent
