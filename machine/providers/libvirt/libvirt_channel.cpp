#include "providers/libvirt/libvirt_channel.h"

#include "machine/errors.h"
#include "machine/platform/link_io.h"
#include "providers/libvirt/libvirt_api.h"

#include <fmt/format.h>
#include <mutex>
#include <thread>

// One thread, libvirt's event loop (libvirt_events.h), moves the bytes both ways with the stream
// non-blocking, as virsh's console does. Two threads blocked in virStreamRecv and virStreamSend
// on one stream at once could both wait for good: libvirt's client lost the second one's wakeup
// (seen over qemu+ssh after a reconnection, nothing queued anywhere).
namespace machine {

namespace {

namespace link_io = platform::link_io;

constexpr std::size_t chunk = 64 * 1024;
constexpr int chunks_per_turn = 16; // then the other direction gets its turn

struct Relay {
    LibvirtConnection connection;
    virStreamPtr stream = nullptr;
    platform::Fd socket;
    int watch = -1;                // the socket in libvirt's loop
    std::string to_guest, to_host; // read from one side, not yet taken by the other
    bool guest_ended = false;      // the stream's end came: the socket is shut for sending
    bool ended = false;
    std::mutex mutex; // the loop's callbacks against open_channel, still registering them

    explicit Relay(LibvirtConnection connection) : connection(std::move(connection)) {}
    ~Relay() {
        // Waits for a close callback under way, so none comes after: the socket is still open.
        libvirt_api().virConnectUnregisterCloseCallback(connection.raw(), on_closed);
        if (!stream)
            return;
        libvirt_api().virStreamAbort(stream);
        libvirt_api().virStreamFree(stream);
    }

    // The connection lost (libvirtd or the SSH login gone, keepalive unanswered): libvirt tells
    // no stream of it, so the socket tells the machine-mux link above, whose end ends the relay.
    // Any thread may call this, inside our own libvirt calls too: it takes no lock.
    static void on_closed(virConnectPtr, int, void *opaque) {
        link_io::shutdown_sending(static_cast<Relay *>(opaque)->socket.get());
    }
};

// Guest to host: what the stream has, into the socket. False: the relay is over.
bool pump_to_host(Relay &relay) {
    for (int turn = 0; turn < chunks_per_turn; ++turn) {
        if (relay.to_host.empty()) {
            if (relay.guest_ended)
                return true;
            char buffer[chunk];
            int n = libvirt_api().virStreamRecv(relay.stream, buffer, sizeof buffer);
            if (n == -2)
                return true; // nothing now
            if (n < 0)
                return false;
            if (n == 0) { // the domain stopped, or libvirtd ended the stream
                relay.guest_ended = true;
                link_io::shutdown_sending(relay.socket.get());
                return true;
            }
            relay.to_host.assign(buffer, std::size_t(n));
        }
        auto sent = link_io::send(relay.socket.get(), relay.to_host.data(), relay.to_host.size());
        if (sent < 0)
            return link_io::would_block();
        relay.to_host.erase(0, std::size_t(sent));
    }
    return true;
}

// Host to guest: what the socket has, into the stream. False: the relay is over (the socket's
// end included: the machine-mux link above it is done). Over a remote connection libvirt's send
// returns once the bytes are written out, never -2, so the loop waits on a slow link here;
// machine-mux sends no more than the guest's agent has room for, which keeps that short.
bool pump_to_guest(Relay &relay) {
    for (int turn = 0; turn < chunks_per_turn; ++turn) {
        if (relay.to_guest.empty()) {
            char buffer[chunk];
            auto n = link_io::receive(relay.socket.get(), buffer, sizeof buffer);
            if (n == 0)
                return false;
            if (n < 0)
                return link_io::would_block();
            relay.to_guest.assign(buffer, std::size_t(n));
        }
        int sent =
            libvirt_api().virStreamSend(relay.stream, relay.to_guest.data(), relay.to_guest.size());
        if (sent == -2)
            return true; // libvirt's queue is full for now
        if (sent < 0)
            return false;
        relay.to_guest.erase(0, std::size_t(sent));
    }
    return true;
}

// What each side is waited for: a side is read only when what it gave last has been taken.
void want(Relay &relay) {
    int socket_events = relay.to_guest.empty() ? VIR_EVENT_HANDLE_READABLE : 0;
    if (!relay.to_host.empty())
        socket_events |= VIR_EVENT_HANDLE_WRITABLE;
    int stream_events = relay.to_guest.empty() ? 0 : VIR_STREAM_EVENT_WRITABLE;
    if (relay.to_host.empty() && !relay.guest_ended)
        stream_events |= VIR_STREAM_EVENT_READABLE;
    libvirt_api().virEventUpdateHandle(relay.watch, socket_events);
    libvirt_api().virStreamEventUpdateCallback(relay.stream, stream_events);
}

// Out of libvirt's loop, then freed on a thread of its own: aborting the stream and closing the
// connection ask libvirtd, and the loop must not wait on that.
void end(Relay *relay) {
    relay->ended = true;
    libvirt_api().virStreamEventRemoveCallback(relay->stream);
    if (relay->watch >= 0)
        libvirt_api().virEventRemoveHandle(relay->watch);
    std::thread([relay] {
        { std::lock_guard wait(relay->mutex); } // the callback that ended it has returned
        delete relay;
    }).detach();
}

void turn(Relay *relay, bool failed) {
    std::unique_lock lock(relay->mutex);
    if (relay->ended)
        return;
    if (failed || !pump_to_guest(*relay) || !pump_to_host(*relay)) {
        end(relay);
        return;
    }
    want(*relay);
}

// A hang-up still lets what the peer wrote last be read: receive() says when it is over.
void on_socket(int, int, int events, void *opaque) {
    turn(static_cast<Relay *>(opaque), events & VIR_EVENT_HANDLE_ERROR);
}

void on_stream(virStreamPtr, int events, void *opaque) {
    turn(static_cast<Relay *>(opaque), events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP));
}

} // namespace

platform::Fd open_channel(LibvirtConnection connection, const std::string &domain,
                          const std::string &port) {
    auto relay = std::make_unique<Relay>(std::move(connection));
    relay->stream = libvirt_api().virStreamNew(relay->connection.raw(), VIR_STREAM_NONBLOCK);
    if (!relay->stream)
        throw Error(fmt::format("libvirt: no stream for the channel {} of {}", port, domain));
    relay->connection.open_channel(domain, port, relay->stream);
    auto [ours, relayed] = platform::stream_socket_pair();
    link_io::make_nonblocking(relayed.get());
    relay->socket = std::move(relayed);
    // A host gone quiet (a laptop off the network) ends the link in seconds, not TCP's hours.
    libvirt_api().virConnectSetKeepAlive(relay->connection.raw(), 5, 3);
    libvirt_api().virConnectRegisterCloseCallback(relay->connection.raw(), Relay::on_closed,
                                                  relay.get(), nullptr);

    // Registered waiting for nothing, so no callback runs until both are there (a failure in
    // between frees the relay with none under way); then want() says what to wait for.
    relay->watch =
        libvirt_api().virEventAddHandle(relay->socket.get(), 0, on_socket, relay.get(), nullptr);
    if (relay->watch < 0)
        throw Error(
            fmt::format("libvirt: cannot relay the channel {} of {}: no event loop", port, domain));
    if (libvirt_api().virStreamEventAddCallback(relay->stream, 0, on_stream, relay.get(), nullptr) <
        0) {
        libvirt_api().virEventRemoveHandle(relay->watch);
        throw Error(fmt::format("libvirt: cannot watch the channel {} of {}", port, domain));
    }
    std::lock_guard registered(relay->mutex);
    want(*relay);
    relay.release(); // the loop's now; end() frees it
    return std::move(ours);
}

} // namespace machine
