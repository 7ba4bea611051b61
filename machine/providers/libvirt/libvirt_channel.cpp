#include "providers/libvirt/libvirt_channel.h"

#include "machine/errors.h"
#include "machine/platform/link_io.h"
#include "providers/libvirt/libvirt_api.h"

#include <fmt/format.h>
#include <memory>
#include <thread>

namespace machine {

namespace {

namespace link_io = platform::link_io;

// What both relay threads share; the last one to finish frees the stream, then the connection.
struct Relay {
    LibvirtConnection connection;
    virStreamPtr stream = nullptr;
    platform::Fd socket;

    ~Relay() {
        if (!stream)
            return;
        libvirt_api().virStreamAbort(stream); // after Finish, a no-op
        libvirt_api().virStreamFree(stream);
    }
};

// Guest to host: the stream's bytes into the socket; the stream's end (the domain stopped,
// libvirtd or the network went away) ends the socket both ways, which also wakes the other
// thread out of its read.
void relay_from_guest(std::shared_ptr<Relay> relay) {
    char buffer[64 * 1024];
    for (;;) {
        int n = libvirt_api().virStreamRecv(relay->stream, buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (int sent = 0; sent < n;) {
            auto moved = link_io::send(relay->socket.get(), buffer + sent, std::size_t(n - sent));
            if (moved < 0) {
                link_io::shutdown_sending(relay->socket.get());
                return;
            }
            sent += int(moved);
        }
    }
    link_io::shutdown_sending(relay->socket.get());
}

// Host to guest: the socket's bytes into the stream, until the socket's end.
void relay_to_guest(std::shared_ptr<Relay> relay) {
    char buffer[64 * 1024];
    for (;;) {
        auto n = link_io::receive(relay->socket.get(), buffer, sizeof buffer);
        if (n <= 0)
            break;
        if (libvirt_api().virStreamSend(relay->stream, buffer, std::size_t(n)) < 0)
            break;
    }
    libvirt_api().virStreamFinish(relay->stream);
}

} // namespace

platform::Fd open_channel(LibvirtConnection connection, const std::string &domain,
                          const std::string &port) {
    std::shared_ptr<Relay> relay(new Relay{std::move(connection), nullptr, {}});
    relay->stream = libvirt_api().virStreamNew(relay->connection.raw(), 0);
    if (!relay->stream)
        throw Error(fmt::format("libvirt: no stream for the channel {} of {}", port, domain));
    relay->connection.open_channel(domain, port, relay->stream);
    auto [ours, relayed] = platform::stream_socket_pair();
    relay->socket = std::move(relayed);
    std::thread(relay_from_guest, relay).detach();
    std::thread(relay_to_guest, relay).detach();
    return std::move(ours);
}

} // namespace machine
