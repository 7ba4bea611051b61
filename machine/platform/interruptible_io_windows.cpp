#include "platform/interruptible_io.h"

#include "platform/windows_error.h"

namespace machine::platform {

InterruptibleIo::InterruptibleIo(std::vector<HANDLE> stop_events)
    : event_(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
    if (!event_)
        throw_windows_error("cannot create an event", GetLastError());
    waits_.push_back(event_.get());
    waits_.insert(waits_.end(), stop_events.begin(), stop_events.end());
}

void InterruptibleIo::prepare() {
    overlapped_ = {};
    overlapped_.hEvent = event_.get();
    ResetEvent(event_.get()); // Winsock, unlike ReadFile, leaves that to us
    socket_flags_ = 0;
}

InterruptibleIo::Result InterruptibleIo::read(HANDLE file, char *data, DWORD size) {
    prepare();
    bool done = ReadFile(file, data, size, nullptr, &overlapped_);
    return finish(file, done ? 0 : GetLastError(), false);
}

InterruptibleIo::Result InterruptibleIo::write(HANDLE file, const char *data, DWORD size) {
    prepare();
    bool done = WriteFile(file, data, size, nullptr, &overlapped_);
    return finish(file, done ? 0 : GetLastError(), false);
}

InterruptibleIo::Result InterruptibleIo::receive(SOCKET socket, char *data, DWORD size) {
    prepare();
    WSABUF buffer{size, data};
    int rc = WSARecv(socket, &buffer, 1, nullptr, &socket_flags_, &overlapped_, nullptr);
    return finish(reinterpret_cast<HANDLE>(socket), rc == 0 ? 0 : DWORD(WSAGetLastError()), true);
}

InterruptibleIo::Result InterruptibleIo::send(SOCKET socket, const char *data, DWORD size) {
    prepare();
    WSABUF buffer{size, const_cast<char *>(data)}; // WSASend does not write to it
    int rc = WSASend(socket, &buffer, 1, nullptr, 0, &overlapped_, nullptr);
    return finish(reinterpret_cast<HANDLE>(socket), rc == 0 ? 0 : DWORD(WSAGetLastError()), true);
}

InterruptibleIo::Result InterruptibleIo::connect_client(HANDLE pipe) {
    prepare();
    if (ConnectNamedPipe(pipe, &overlapped_))
        return finish(pipe, 0, false);
    DWORD error = GetLastError();
    if (error == ERROR_PIPE_CONNECTED)
        return {}; // the client came before we asked: there is nothing to wait for
    return finish(pipe, error, false);
}

InterruptibleIo::Result InterruptibleIo::finish(HANDLE handle, DWORD start_error, bool socket) {
    // Pending (ERROR_IO_PENDING is WSA_IO_PENDING) or done, a completion will signal the event;
    // ERROR_MORE_DATA is a read that is done, with more of the message left.
    if (start_error != 0 && start_error != ERROR_IO_PENDING && start_error != ERROR_MORE_DATA)
        return {0, start_error};
    DWORD bytes = 0;
    if (WaitForMultipleObjects(DWORD(waits_.size()), waits_.data(), FALSE, INFINITE) !=
        WAIT_OBJECT_0) {
        // Stopped: cancel, and wait for the cancel, so the system is done with our OVERLAPPED.
        CancelIoEx(handle, &overlapped_);
        GetOverlappedResult(handle, &overlapped_, &bytes, TRUE);
        return {0, ERROR_OPERATION_ABORTED};
    }
    bool done = socket ? WSAGetOverlappedResult(reinterpret_cast<SOCKET>(handle), &overlapped_,
                                                &bytes, FALSE, &socket_flags_)
                       : GetOverlappedResult(handle, &overlapped_, &bytes, FALSE);
    if (done)
        return {bytes, 0};
    DWORD error = socket ? DWORD(WSAGetLastError()) : GetLastError();
    return {bytes, error == ERROR_MORE_DATA ? 0 : error};
}

} // namespace machine::platform
