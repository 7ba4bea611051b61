#pragma once
// How a provider makes a container's published port reachable on the host's loopback. The port
// watcher (port_watcher.h) decides which ports; a publisher only adds and removes them.
#include "machine/published_ports.h"

#include <string>

namespace machine {

class PortPublisher {
public:
    virtual ~PortPublisher() = default;
    // Forwards 127.0.0.1:PORT on the host to the same port in the guest. Empty when done;
    // otherwise why not (the port is taken on the host, say), in one line.
    virtual std::string add(const PublishedPort &port) = 0;
    // Takes a forward away; one that is not there is not an error.
    virtual void remove(const PublishedPort &port) = 0;
};

} // namespace machine
