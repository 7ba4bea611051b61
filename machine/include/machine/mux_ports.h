#pragma once
// Published ports carried over machine-mux, for every provider: the host listens on
// 127.0.0.1:PORT (and [::1]:PORT where the host has IPv6) itself and the forwarder's mux session
// opens a "tcp:PORT" or "udp:PORT" stream per client, which the guest agent connects to the port
// inside the guest. MuxPorts holds the listening sockets, shared by the port watcher's thread
// (which adds and removes them through a MuxPortPublisher) and the session's (which polls them).
#include "machine/mux/mux_session.h"
#include "machine/port_publisher.h"
#include "platform/unix_socket.h"

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace machine {

class MuxPorts {
public:
    // Listens on 127.0.0.1:PORT, and on [::1]:PORT when it can, for the guest's same port, or
    // `guest_port` when given; empty when done, else why not (127.0.0.1's port is taken).
    std::string add(const PublishedPort &port, std::uint16_t guest_port = 0);
    void remove(const PublishedPort &port);

    // For the session (EndpointOptions::listeners and listeners_changed): the listeners now, and
    // the fd that turns readable when they change. Sockets removed since the last call are
    // closed here, on the session's thread, once it no longer polls them.
    std::vector<mux::Listener> listeners();
    int changed_fd() const { return wake_.read_fd(); }

private:
    std::mutex mutex_;
    struct Open {
        std::vector<platform::Fd> listeners; // on 127.0.0.1, then on ::1
        std::string target;                  // the stream's target: "tcp:PORT" in the guest
    };
    std::map<PublishedPort, Open> open_;
    std::vector<platform::Fd> retired_;
    platform::WakePipe wake_;
};

// The port watcher's publisher over machine-mux.
class MuxPortPublisher : public PortPublisher {
public:
    explicit MuxPortPublisher(MuxPorts &ports) : ports_(ports) {}
    std::string add(const PublishedPort &port) override { return ports_.add(port); }
    void remove(const PublishedPort &port) override { ports_.remove(port); }

private:
    MuxPorts &ports_;
};

} // namespace machine
