#include "providers/qemu/hostfwd.h"

#include <fmt/format.h>

namespace machine {

using namespace std::chrono_literals;

std::string hostfwd_add(const PublishedPort &port, const std::string &netdev) {
    return fmt::format("hostfwd_add {} {}:127.0.0.1:{}-:{}", netdev, port.protocol, port.port,
                       port.port);
}

std::string hostfwd_remove(const PublishedPort &port, const std::string &netdev) {
    return fmt::format("hostfwd_remove {} {}:127.0.0.1:{}", netdev, port.protocol, port.port);
}

HostfwdPublisher::HostfwdPublisher(const std::filesystem::path &qmp_socket)
    : qmp_(qmp_socket, 5s) {}

std::string HostfwdPublisher::monitor(const std::string &line) {
    return qmp_.execute("human-monitor-command", {{"command-line", line}}).get<std::string>();
}

std::string HostfwdPublisher::add(const PublishedPort &port) {
    monitor(hostfwd_remove(port)); // a rule a killed forwarder left
    auto error = monitor(hostfwd_add(port));
    if (error.empty())
        return {};
    return fmt::format("is it taken on the host? QEMU says: {}", error.substr(0, error.find('\n')));
}

void HostfwdPublisher::remove(const PublishedPort &port) {
    monitor(hostfwd_remove(port));
}

} // namespace machine
