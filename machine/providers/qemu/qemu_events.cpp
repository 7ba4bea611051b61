#include "providers/qemu/qemu_events.h"

namespace machine {

using namespace std::chrono_literals;

QemuEvents::QemuEvents(const std::filesystem::path &socket) : client_(socket, 5s) {
    // A `stop --suspend` killed after it saved the VM, before it ended QEMU, leaves the VM stopped
    // there, and a forwarder killed while the VM was paused at idle leaves it paused; the next
    // `start` or `list` starts a forwarder again, which runs it on.
    auto status = client_.execute("query-status").value("status", "");
    if (status == "postmigrate" || status == "paused")
        client_.execute("cont");
}

bool QemuEvents::resumed() {
    bool resumed = false;
    // What waits now, without waiting: the fd said it is there.
    while (auto event = client_.next_event(platform::Clock::now()))
        resumed = resumed || event->value("event", "") == "RESUME";
    return resumed;
}

} // namespace machine
