#include "platform/guest_pipe.h"

#include "machine/errors.h"

namespace machine::platform {

Fd connect_pipe(const std::string &name, int, Clock::time_point) {
    throw HostNotReady("cannot connect to the named pipe " + name +
                           ": named pipes are Windows'; this host talks to its guests over unix "
                           "sockets",
                       "this is a bug: a provider asked for a Windows pipe on a POSIX host");
}

} // namespace machine::platform
