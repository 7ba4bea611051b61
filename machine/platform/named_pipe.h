#pragma once
// A named-pipe server that relays each client to a socket of its own (Windows only): the
// docker CLI's default transport on Windows is a named pipe (`npipe:////./pipe/NAME`), and the
// forwarder's own end is a socket.
//
// The pipe:
// - only the current user may open it (platform/pipe_security.h); remote clients are refused;
// - its name must be free: when another program already serves it (pipe squatting, to read what
//   clients send or answer in the engine's name), the constructor throws instead of sharing it;
// - it is a message pipe read as a byte stream, as dockerd's own pipe is: a client can then
//   half-close with a zero-length message (go-winio's CloseWrite, which the docker CLI uses when
//   its stdin ends), which the target sees as shutdown(SD_SEND);
// - a new instance waits for the next client before an accepted one is handed over, so clients
//   seldom find it busy (they wait with WaitNamedPipe when they do).
// Each client has its own threads (platform/pipe_connection.h).
#include "platform/pipe_connection.h"
#include "platform/pipe_security.h"
#include "platform/windows_handle.h"

#include <string>
#include <thread>

namespace machine::platform {

class PipeRelay {
public:
    using ConnectTarget = PipeConnection::ConnectTarget;
    using Log = PipeConnection::Log;

    // Serves `pipe_name` (`\\.\pipe\...`) from now on; `connect_target` is called once per client.
    // Throws HostNotReady when another program serves that name, SystemError when the pipe
    // cannot be made.
    PipeRelay(std::string pipe_name, ConnectTarget connect_target, Log log = {});
    // Stops accepting, ends every relayed connection and closes every handle; does not wait for
    // clients or targets.
    ~PipeRelay();
    PipeRelay(const PipeRelay &) = delete;
    PipeRelay &operator=(const PipeRelay &) = delete;

private:
    WinHandle create_instance(bool first);
    void accept_clients(WinHandle waiting);

    WinsockUser winsock_;
    std::string pipe_name_;
    ConnectTarget connect_target_;
    Log log_;
    UserOnlySecurity security_;
    WinHandle stop_; // manual-reset: set once, it ends every wait of every thread
    std::thread acceptor_;
};

} // namespace machine::platform
