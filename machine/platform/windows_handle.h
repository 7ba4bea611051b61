#pragma once
// Owners of Windows kernel handles and sockets, and of Winsock itself (Windows only).
#include <winsock2.h> // before windows.h, which would bring the old winsock.h

#include <utility>
#include <windows.h>

namespace machine::platform {

// Owns one kernel handle (a pipe instance, an event, a token) and closes it.
class WinHandle {
public:
    WinHandle() = default;
    // Takes either failure value the API returns (nullptr or INVALID_HANDLE_VALUE) as empty.
    explicit WinHandle(HANDLE handle)
        : handle_(handle == INVALID_HANDLE_VALUE ? nullptr : handle) {}
    WinHandle(WinHandle &&other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    WinHandle &operator=(WinHandle &&other) noexcept {
        reset(std::exchange(other.handle_, nullptr));
        return *this;
    }
    WinHandle(const WinHandle &) = delete;
    WinHandle &operator=(const WinHandle &) = delete;
    ~WinHandle() { reset(); }

    HANDLE get() const { return handle_; }
    HANDLE release() { return std::exchange(handle_, nullptr); }
    explicit operator bool() const { return handle_ != nullptr; }
    void reset(HANDLE handle = nullptr) {
        if (handle_)
            CloseHandle(handle_);
        handle_ = handle;
    }

private:
    HANDLE handle_ = nullptr;
};

// Owns one socket and closes it.
class WinSocket {
public:
    WinSocket() = default;
    explicit WinSocket(SOCKET socket) : socket_(socket) {}
    WinSocket(WinSocket &&other) noexcept : socket_(std::exchange(other.socket_, INVALID_SOCKET)) {}
    WinSocket &operator=(WinSocket &&other) noexcept {
        reset(std::exchange(other.socket_, INVALID_SOCKET));
        return *this;
    }
    WinSocket(const WinSocket &) = delete;
    WinSocket &operator=(const WinSocket &) = delete;
    ~WinSocket() { reset(); }

    SOCKET get() const { return socket_; }
    SOCKET release() { return std::exchange(socket_, INVALID_SOCKET); }
    explicit operator bool() const { return socket_ != INVALID_SOCKET; }
    void reset(SOCKET socket = INVALID_SOCKET) {
        if (socket_ != INVALID_SOCKET)
            closesocket(socket_);
        socket_ = socket;
    }

private:
    SOCKET socket_ = INVALID_SOCKET;
};

// Winsock is usable while one of these lives (Windows counts the startups).
class WinsockUser {
public:
    WinsockUser() {
        WSADATA data;
        started_ = WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }
    ~WinsockUser() {
        if (started_)
            WSACleanup();
    }
    WinsockUser(const WinsockUser &) = delete;
    WinsockUser &operator=(const WinsockUser &) = delete;

private:
    bool started_ = false;
};

} // namespace machine::platform
