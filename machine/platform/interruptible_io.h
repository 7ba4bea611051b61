#pragma once
// Overlapped I/O that waits like a blocking call but gives up as soon as a stop event is set
// (Windows only): how the pipe relay's threads wait without polling and still end promptly.
// Overlapped handles also let one thread read a pipe while another writes it; a handle opened
// for synchronous I/O would make the two wait for each other.
#include "platform/windows_handle.h"

#include <vector>

namespace machine::platform {

class InterruptibleIo {
public:
    struct Result {
        DWORD bytes = 0;
        DWORD error = 0; // 0 on success; ERROR_OPERATION_ABORTED when a stop event ended the wait
        bool ok() const { return error == 0; }
    };

    // Any of `stop_events` (manual-reset ones, so that every waiter sees them) ends a wait.
    explicit InterruptibleIo(std::vector<HANDLE> stop_events);
    InterruptibleIo(const InterruptibleIo &) = delete;
    InterruptibleIo &operator=(const InterruptibleIo &) = delete;

    // A pipe message longer than `size` is read in parts: it is a byte stream to us. A message of
    // zero bytes reads as 0 bytes with no error.
    Result read(HANDLE file, char *data, DWORD size);
    Result write(HANDLE file, const char *data, DWORD size);
    // 0 bytes with no error: the peer closed its sending side.
    Result receive(SOCKET socket, char *data, DWORD size);
    Result send(SOCKET socket, const char *data, DWORD size);
    // Waits until a client opens the pipe instance `pipe`.
    Result connect_client(HANDLE pipe);

private:
    void prepare();
    Result finish(HANDLE handle, DWORD start_error, bool socket);

    WinHandle event_;
    OVERLAPPED overlapped_{};
    DWORD socket_flags_ = 0;
    std::vector<HANDLE> waits_; // event_, then the stop events
};

} // namespace machine::platform
