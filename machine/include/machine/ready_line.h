#pragma once
// Reading the guest's Ready channel, a line at a time, as every provider's ReadySignal does
// whatever carries it (a unix socket QEMU or vfkit connects, a named pipe, the agent's stdout).
#include "platform/unix_socket.h"

#include <string>

namespace machine {

struct ReadyLine {
    enum Kind {
        ready,   // a line saying "Ready"
        other,   // another whole line
        nothing, // no whole line before the deadline (a part stays in the buffer)
        end,     // the stream ended (`text`: its last, unfinished line, if any)
    } kind;
    std::string text;
};

// Waits until `deadline` for the next line on `fd`; `buffer` keeps what came of the line after it
// between calls.
ReadyLine next_ready_line(int fd, platform::Clock::time_point deadline, std::string &buffer);

} // namespace machine
