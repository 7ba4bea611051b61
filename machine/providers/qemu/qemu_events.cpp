#include "providers/qemu/qemu_events.h"

namespace machine {

using namespace std::chrono_literals;

QemuEvents::QemuEvents(const std::filesystem::path &socket) : client_(socket, 5s) {}

bool QemuEvents::resumed() {
    bool resumed = false;
    // What waits now, without waiting: the fd said it is there.
    while (auto event = client_.next_event(platform::Clock::now()))
        resumed = resumed || event->value("event", "") == "RESUME";
    return resumed;
}

} // namespace machine
