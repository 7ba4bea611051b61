#include "machine/ready_line.h"

#include "machine/errors.h"

namespace machine {

ReadyLine next_ready_line(int fd, platform::Clock::time_point deadline, std::string &buffer) {
    if (!platform::wait_readable(fd, deadline))
        return {ReadyLine::nothing, {}};
    try {
        bool eof = false;
        auto line = platform::read_line(fd, deadline, buffer, eof);
        if (line.find("Ready") != std::string::npos)
            return {ReadyLine::ready, line};
        return {eof ? ReadyLine::end : ReadyLine::other, line};
    } catch (const Timeout &) {
        return {ReadyLine::nothing, {}}; // part of a line: the rest comes with the next wait
    }
}

} // namespace machine
