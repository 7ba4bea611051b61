#include "providers/apple/vsock_ready.h"

#include "machine/errors.h"

namespace machine {

ReadySignal::Event VsockReady::wait(platform::Clock::time_point deadline) {
    for (;;) {
        if (!connection_) {
            connection_ = listener_.accept(deadline);
            if (!connection_)
                return Event::nothing;
            buffer_.clear();
        }
        if (!platform::wait_readable(connection_.get(), deadline))
            return Event::nothing;
        try {
            bool eof = false;
            auto line = platform::read_line(connection_.get(), deadline, buffer_, eof);
            if (line.find("Ready") != std::string::npos)
                return Event::ready;
            if (eof)
                connection_ = platform::Fd(); // that connection said nothing: wait for the next
        } catch (const Timeout &) {
            return Event::nothing; // part of a line: the rest comes with the next wait
        }
    }
}

} // namespace machine
