#include "platform/guest_pipe.h"

#include "machine/errors.h"
#include "platform/interruptible_io.h"
#include "platform/windows_error.h"
#include "platform/windows_text.h"
#include "platform/winsock.h"

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

namespace machine::platform {

namespace {

WinHandle manual_reset_event() {
    WinHandle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    if (!event)
        throw_windows_error("cannot create an event", GetLastError());
    return event;
}

// The pipe and the relay's end of the socket pair, shared by the two relay threads and freed by
// the last of them: closing the pipe is what tells the server we are gone. Each thread's waits
// end when the other side has ended (manual-reset events, set once). Made whole before a thread
// starts, so nothing in a thread can fail to be made.
struct Relay {
    WinHandle socket_ended = manual_reset_event();
    WinHandle pipe_ended = manual_reset_event();
    WinHandle pipe;
    WinSocket socket;
    InterruptibleIo pipe_reader{{socket_ended.get()}};
    InterruptibleIo socket_sender{{socket_ended.get()}};
    InterruptibleIo socket_receiver{{}};
    InterruptibleIo pipe_writer{{pipe_ended.get()}};
};

// The server's bytes into the socket; at the pipe's end the socket's sending side is shut, so our
// end reads to its end. The socket's end stops the read at once: the server may never write again.
void relay_from_pipe(std::shared_ptr<Relay> relay) {
    std::vector<char> buffer(64 * 1024);
    for (bool open = true; open;) {
        auto read = relay->pipe_reader.read(relay->pipe.get(), buffer.data(), DWORD(buffer.size()));
        open = read.ok();
        for (DWORD sent = 0; open && sent < read.bytes;) {
            auto written = relay->socket_sender.send(relay->socket.get(), buffer.data() + sent,
                                                     read.bytes - sent);
            open = written.ok();
            sent += written.bytes;
        }
    }
    SetEvent(relay->pipe_ended.get());
    ::shutdown(relay->socket.get(), SD_SEND);
}

// Our bytes into the pipe, until the socket ends (shut or closed: a pipe cannot half-close, so
// either ends the connection). Once the pipe has ended what still comes is read and dropped, so
// that a writer on our end never waits for a reader that is gone.
void relay_to_pipe(std::shared_ptr<Relay> relay) {
    std::vector<char> buffer(64 * 1024);
    bool writing = true;
    for (;;) {
        auto received = relay->socket_receiver.receive(relay->socket.get(), buffer.data(),
                                                       DWORD(buffer.size()));
        if (!received.ok() || received.bytes == 0)
            break;
        for (DWORD done = 0; writing && done < received.bytes;) {
            auto written = relay->pipe_writer.write(relay->pipe.get(), buffer.data() + done,
                                                    received.bytes - done);
            writing = written.ok();
            done += written.bytes;
        }
    }
    SetEvent(relay->socket_ended.get());
}

// Opens the pipe, waiting while nobody serves it yet (the server makes it when it gets there) or
// its one instance is taken. Overlapped, so that one thread can read while the other writes: on a
// handle opened for synchronous I/O a pending read would hold every write back. Identification
// only: a server may ask who we are, never act as us.
WinHandle open_pipe(const std::string &path, Clock::time_point deadline) {
    auto wide = to_wide(path);
    for (;;) {
        WinHandle pipe(CreateFileW(
            wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
            FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr));
        if (pipe)
            return pipe;
        DWORD error = GetLastError();
        if (error != ERROR_FILE_NOT_FOUND && error != ERROR_PIPE_BUSY)
            throw_windows_error("cannot open " + path, error);
        DWORD left = DWORD(milliseconds_until(deadline));
        if (left == 0)
            throw Timeout(path + (error == ERROR_PIPE_BUSY ? " stayed busy" : " did not appear") +
                          " in the time allowed");
        // WaitNamedPipe returns at once for a pipe that does not exist: that one is polled.
        if (error == ERROR_FILE_NOT_FOUND || !WaitNamedPipeW(wide.c_str(), left))
            Sleep(std::min<DWORD>(left, 20));
    }
}

} // namespace

Fd connect_pipe(const std::string &name, int server_pid, Clock::time_point deadline) {
    start_winsock();
    auto path = R"(\\.\pipe\)" + name;
    auto pipe = open_pipe(path, deadline);
    ULONG server = 0;
    if (!GetNamedPipeServerProcessId(pipe.get(), &server))
        throw_windows_error("cannot tell which process serves " + path, GetLastError());
    if (server != ULONG(server_pid))
        throw HostNotReady(path + " is served by process " + std::to_string(server) +
                               ", not by process " + std::to_string(server_pid) +
                               ": another program took the name first",
                           "end the program that serves that pipe, then try again");

    auto relay = std::make_shared<Relay>();
    auto [ours, relays] = loopback_socket_pair();
    relay->pipe = std::move(pipe);
    relay->socket = std::move(relays);
    std::thread(relay_from_pipe, relay).detach();
    std::thread(relay_to_pipe, relay).detach();
    return Fd(int(ours.release()));
}

} // namespace machine::platform
