#include "machine/mux_ports.h"

#include "machine/errors.h"

#include <cstring>

namespace machine {

std::string MuxPorts::add(const PublishedPort &port, std::uint16_t guest_port) {
    std::lock_guard lock(mutex_);
    if (open_.count(port))
        return {};
    Open open{{}, port.protocol + ":" + std::to_string(guest_port ? guest_port : port.port)};
    // 127.0.0.1, and ::1 too: "localhost" is ::1 first to clients that take the first address
    // only (Node.js since 17, where testcontainers-node runs). Taken on ::1 by another program,
    // the port is refused as a whole, or such a client would reach that program; where the host
    // has no IPv6, 127.0.0.1 is all there is.
    try {
        open.listeners.push_back(platform::listen_loopback(port.protocol, port.port));
        if (auto six =
                platform::listen_loopback(port.protocol, port.port, platform::Loopback::ipv6))
            open.listeners.push_back(std::move(six));
    } catch (const SystemError &error) {
        return std::string("is it taken on the host? ") + error.what();
    }
    open_[port] = std::move(open);
    wake_.wake();
    return {};
}

void MuxPorts::remove(const PublishedPort &port) {
    std::lock_guard lock(mutex_);
    auto found = open_.find(port);
    if (found == open_.end())
        return;
    for (auto &listener : found->second.listeners)
        retired_.push_back(std::move(listener));
    open_.erase(found);
    wake_.wake();
}

std::vector<mux::Listener> MuxPorts::listeners() {
    std::lock_guard lock(mutex_);
    wake_.drain();
    retired_.clear(); // closes them: the session asks only once it stopped polling them
    std::vector<mux::Listener> now;
    for (const auto &[port, open] : open_)
        for (const auto &listener : open.listeners)
            now.push_back({listener.get(), open.target, port.protocol == "udp"});
    return now;
}

} // namespace machine
