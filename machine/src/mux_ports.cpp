#include "machine/mux_ports.h"

#include "machine/errors.h"

#include <cstring>

namespace machine {

std::string MuxPorts::add(const PublishedPort &port, std::uint16_t guest_port) {
    std::lock_guard lock(mutex_);
    if (open_.count(port))
        return {};
    try {
        open_[port] = {platform::listen_loopback(port.protocol, port.port),
                       port.protocol + ":" + std::to_string(guest_port ? guest_port : port.port)};
    } catch (const SystemError &error) {
        return std::string("is it taken on the host? ") + error.what();
    }
    wake_.wake();
    return {};
}

void MuxPorts::remove(const PublishedPort &port) {
    std::lock_guard lock(mutex_);
    auto found = open_.find(port);
    if (found == open_.end())
        return;
    retired_.push_back(std::move(found->second.listener));
    open_.erase(found);
    wake_.wake();
}

std::vector<mux::Listener> MuxPorts::listeners() {
    std::lock_guard lock(mutex_);
    wake_.drain();
    retired_.clear(); // closes them: the session asks only once it stopped polling them
    std::vector<mux::Listener> now;
    for (const auto &[port, open] : open_)
        now.push_back({open.listener.get(), open.target, port.protocol == "udp"});
    return now;
}

} // namespace machine
