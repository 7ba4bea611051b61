#include "platform/pipe_connection.h"

#include "platform/interruptible_io.h"
#include "platform/windows_error.h"

#include <vector>

namespace machine::platform {

namespace {

constexpr DWORD chunk = 64 * 1024;

bool write_all(InterruptibleIo &io, HANDLE pipe, const char *data, DWORD size) {
    while (size > 0) {
        auto written = io.write(pipe, data, size);
        if (!written.ok())
            return false;
        data += written.bytes;
        size -= written.bytes;
    }
    return true;
}

bool send_all(InterruptibleIo &io, SOCKET socket, const char *data, DWORD size) {
    while (size > 0) {
        auto sent = io.send(socket, data, size);
        if (!sent.ok() || sent.bytes == 0)
            return false;
        data += sent.bytes;
        size -= sent.bytes;
    }
    return true;
}

} // namespace

// What one direction needs, made before the second thread starts so that copying cannot throw.
struct PipeConnection::Direction {
    Direction(HANDLE relay_stopped, HANDLE ended) : io({relay_stopped, ended}), buffer(chunk) {}
    InterruptibleIo io;
    std::vector<char> buffer;
};

PipeConnection::PipeConnection(WinHandle pipe, const ConnectTarget &connect_target,
                               HANDLE relay_stopped, const Log &log)
    : pipe_(std::move(pipe)), ended_(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      relay_stopped_(relay_stopped), log_(log) {
    if (!ended_)
        throw_windows_error("cannot create an event", GetLastError());
    thread_ = std::thread([this, &connect_target] { run(connect_target); });
}

PipeConnection::~PipeConnection() {
    thread_.join();
}

void PipeConnection::run(const ConnectTarget &connect_target) {
    try {
        WinSocket target = connect_target();
        Direction to_target(relay_stopped_, ended_.get());
        Direction to_client(relay_stopped_, ended_.get());
        std::jthread client_side([&] { copy_to_client(target.get(), to_client); });
        copy_to_target(target.get(), to_target);
    } catch (const std::exception &error) {
        log_(std::string("named pipe: ") + error.what());
    }
    // Closed, not disconnected: the client still reads what we wrote, then ERROR_BROKEN_PIPE.
    pipe_.reset();
    finished_ = true;
}

void PipeConnection::copy_to_target(SOCKET target, Direction &direction) noexcept {
    for (;;) {
        auto read = direction.io.read(pipe_.get(), direction.buffer.data(), chunk);
        if (!read.ok()) // ERROR_BROKEN_PIPE: the client closed the pipe
            break;
        if (read.bytes == 0) {
            // The client's CloseWrite: the answer may still come. Reading on shows when the client
            // closes the pipe (and fails on data it should not send any more).
            shutdown(target, SD_SEND);
            continue;
        }
        if (!send_all(direction.io, target, direction.buffer.data(), read.bytes))
            break;
    }
    shutdown(target, SD_SEND);
    SetEvent(ended_.get()); // nothing can reach a client that closed the pipe
}

void PipeConnection::copy_to_client(SOCKET target, Direction &direction) noexcept {
    for (;;) {
        auto received = direction.io.receive(target, direction.buffer.data(), chunk);
        if (!received.ok() || received.bytes == 0) // 0: the target closed its side
            break;
        if (!write_all(direction.io, pipe_.get(), direction.buffer.data(), received.bytes))
            break;
    }
    // A pipe client cannot be half-closed: closing the pipe is the end it sees.
    SetEvent(ended_.get());
}

} // namespace machine::platform
