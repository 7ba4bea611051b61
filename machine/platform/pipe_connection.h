#pragma once
// One named-pipe client relayed to one target socket (Windows only), on two threads, one per
// direction, so that a client uploading while it reads stalls neither side.
//
// How it ends:
// - the client's zero-length message (how go-winio's CloseWrite, hence the docker CLI, half-closes
//   a message pipe) becomes shutdown(SD_SEND) on the socket; the target's answer keeps coming;
// - the target closing its side closes the pipe once all it sent is written: the client reads
//   it all, then ERROR_BROKEN_PIPE (a pipe client sees no other end);
// - the client closing the pipe sends the target shutdown(SD_SEND) and ends the connection
//   (nothing can reach that client any more), as do an error and the relay's stop event.
#include "platform/windows_handle.h"

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace machine::platform {

class PipeConnection {
public:
    // Called on the connection's thread, so on several at once; throws when it cannot connect.
    // It should not block for long: the relay's destructor waits for it.
    using ConnectTarget = std::function<WinSocket()>;
    // Called on any of the relay's threads, so on several at once.
    using Log = std::function<void(const std::string &)>;

    // Relays `pipe`, an instance a client has just opened, on a thread of its own; `relay_stopped`
    // is the relay's manual-reset stop event. The references must outlive this object.
    PipeConnection(WinHandle pipe, const ConnectTarget &connect_target, HANDLE relay_stopped,
                   const Log &log);
    ~PipeConnection(); // joins: set the stop event first, or let the connection end by itself
    PipeConnection(const PipeConnection &) = delete;
    PipeConnection &operator=(const PipeConnection &) = delete;

    // Both directions have ended and every handle of this connection is closed.
    bool finished() const { return finished_; }

private:
    struct Direction;
    void run(const ConnectTarget &connect_target);
    void copy_to_target(SOCKET target, Direction &direction) noexcept;
    void copy_to_client(SOCKET target, Direction &direction) noexcept;

    WinHandle pipe_;
    WinHandle ended_; // manual-reset: set by whichever direction ends the whole connection
    HANDLE relay_stopped_;
    const Log &log_;
    std::atomic<bool> finished_ = false;
    std::thread thread_;
};

} // namespace machine::platform
