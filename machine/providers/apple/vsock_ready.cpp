#include "providers/apple/vsock_ready.h"

#include "machine/ready_line.h"

namespace machine {

ReadySignal::Event VsockReady::wait(platform::Clock::time_point deadline) {
    for (;;) {
        if (!connection_) {
            connection_ = listener_.accept(deadline);
            if (!connection_)
                return Event::nothing;
            buffer_.clear();
        }
        switch (next_ready_line(connection_.get(), deadline, buffer_).kind) {
        case ReadyLine::ready:
            return Event::ready;
        case ReadyLine::nothing:
            return Event::nothing;
        case ReadyLine::end:
            connection_ = platform::Fd(); // that connection said nothing: wait for the next
            break;
        case ReadyLine::other:
            break;
        }
    }
}

} // namespace machine
