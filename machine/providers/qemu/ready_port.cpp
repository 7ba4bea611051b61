#include "providers/qemu/ready_port.h"

#include "machine/errors.h"

namespace machine {

ReadySignal::Event ReadyPort::wait(platform::Clock::time_point deadline) {
    if (!connection_ && (!listener_ || !(connection_ = listener_->accept(deadline))))
        return Event::nothing;
    if (!platform::wait_readable(connection_.get(), deadline))
        return Event::nothing;
    try {
        bool eof = false;
        auto line = platform::read_line(connection_.get(), deadline, buffer_, eof);
        if (line.find("Ready") != std::string::npos)
            return Event::ready;
        return eof ? Event::closed : Event::nothing;
    } catch (const Timeout &) {
        return Event::nothing; // part of a line: the rest comes with the next wait
    }
}

} // namespace machine
