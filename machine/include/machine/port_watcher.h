#pragma once
// Keeps the host's forwards in step with the ports the guest's containers publish: it follows
// the engine's container events (no polling) and, after each one and at every (re)connect, lists
// the running containers and has the provider's PortPublisher add or remove forwards, on
// 127.0.0.1 only. Runs on its own thread inside the forwarder process, as a client of the
// forwarder's quiet socket (so it needs no connection of its own to the guest, and its events
// stream keeps no VM from pausing at idle). The forwards in place are recorded in a file, so a
// forwarder that replaces a killed one can remove the rules for containers that stopped in
// between.
#include "machine/port_publisher.h"
#include "machine/published_ports.h"
#include "platform/unix_socket.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>

namespace machine {

struct PortWatcherOptions {
    // The forwarder's socket for it (ForwarderOptions::quiet_listen).
    std::filesystem::path api_socket;
    std::function<std::unique_ptr<PortPublisher>()> publisher; // one per round of changes
    // The provider's own publisher, whose forwards outlive the forwarder (QEMU's rules): the ones
    // the record names are removed through it first; none when unset.
    std::function<std::unique_ptr<PortPublisher>()> leftovers;
    std::filesystem::path record; // the forwards in place, for the next forwarder
    // The other machine that forwards a port already (from its record), for the one line that
    // says why this one does not; empty when none does. Unset: never named.
    std::function<std::string(const PublishedPort &)> held_by;
    std::function<void(const std::string &)> log;
};

class PortWatcher {
public:
    explicit PortWatcher(PortWatcherOptions options);
    ~PortWatcher(); // stops and joins the thread
    PortWatcher(const PortWatcher &) = delete;
    PortWatcher &operator=(const PortWatcher &) = delete;

private:
    void run();
    void follow_events();
    void remove_leftovers();
    void reconcile();
    std::set<PublishedPort> recorded() const;

    PortWatcherOptions options_;
    std::set<PublishedPort> forwarded_;
    bool cleaned_ = false;
    std::atomic<bool> stop_{false};
    platform::WakePipe stopping_; // wakes the thread's wait for events
    std::thread thread_;
};

} // namespace machine
