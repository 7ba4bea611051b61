#include "providers/hyperv/hvsock_ready.h"

namespace machine {

ReadySignal::Event HvsockReady::wait(platform::Clock::time_point deadline) {
    using Result = platform::HvsockListener::Result;
    for (;;) {
        std::string line;
        switch (listener_->read_line(deadline, line)) {
        case Result::timeout:
            return Event::nothing;
        case Result::closed:
            return Event::closed;
        case Result::line:
            if (line.find("Ready") != std::string::npos)
                return Event::ready;
            break; // anything else the guest says first is not Ready: read on
        }
    }
}

} // namespace machine
