#include "providers/qemu/ready_port.h"

#include "machine/ready_line.h"

namespace machine {

ReadySignal::Event ReadyPort::wait(platform::Clock::time_point deadline) {
    if (!connection_ && (!listener_ || !(connection_ = listener_->accept(deadline))))
        return Event::nothing;
    switch (next_ready_line(connection_.get(), deadline, buffer_).kind) {
    case ReadyLine::ready:
        return Event::ready;
    case ReadyLine::end:
        return Event::closed;
    default:
        return Event::nothing;
    }
}

} // namespace machine
