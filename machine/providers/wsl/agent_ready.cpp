#include "providers/wsl/agent_ready.h"

#include "machine/errors.h"

#include <fstream>

namespace machine {

ReadySignal::Event AgentReady::wait(platform::Clock::time_point deadline) {
    if (ended_)
        return Event::closed;
    if (!platform::wait_readable(agent_->fd(), deadline))
        return Event::nothing;
    try {
        bool eof = false;
        auto line = platform::read_line(agent_->fd(), deadline, buffer_, eof);
        if (line.find("Ready") != std::string::npos)
            return Event::ready;
        if (!line.empty())
            std::ofstream(console_log_, std::ios::app) << line << "\n";
        ended_ = eof;
        return eof ? Event::closed : Event::nothing;
    } catch (const Timeout &) {
        return Event::nothing; // part of a line: the rest comes with the next wait
    }
}

} // namespace machine
