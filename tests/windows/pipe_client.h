#pragma once
// A named-pipe client as go-winio's (the docker CLI's) is: overlapped, so that one thread can
// write while another reads, and half-closing with a zero-length message.
#include "platform/interruptible_io.h"
#include "platform/windows_handle.h"

#include <string>

namespace machine::platform {

class PipeClient {
public:
    // Opens `name`, waiting while every instance is busy; throws SystemError.
    explicit PipeClient(const std::string &name, DWORD access = GENERIC_READ | GENERIC_WRITE);

    HANDLE handle() const { return pipe_.get(); }
    // Writes `data` in messages of at most `piece` bytes; false when the pipe refused one.
    bool write(const std::string &data, std::size_t piece = 100 * 1000);
    // go-winio's CloseWrite: a zero-length message.
    bool close_write();
    // One read: what arrived, or empty with `error` set when the pipe ended.
    std::string read_some(DWORD &error);
    // Reads until the pipe ends; `end` is the error that ended it.
    std::string read_to_end(DWORD &end);
    void close() { pipe_.reset(); }

private:
    WinHandle pipe_;
    InterruptibleIo reader_{{}};
    InterruptibleIo writer_{{}};
};

} // namespace machine::platform
