#include "providers/wsl/agent_ready.h"

#include "machine/ready_line.h"

#include <fstream>

namespace machine {

ReadySignal::Event AgentReady::wait(platform::Clock::time_point deadline) {
    if (ended_)
        return Event::closed;
    auto line = next_ready_line(agent_->fd(), deadline, buffer_);
    if (line.kind == ReadyLine::ready)
        return Event::ready;
    if (!line.text.empty()) // what the agent says on the way goes where a console log would
        std::ofstream(console_log_, std::ios::app) << line.text << "\n";
    ended_ = line.kind == ReadyLine::end;
    return ended_ ? Event::closed : Event::nothing;
}

} // namespace machine
