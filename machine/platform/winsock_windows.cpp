#include "platform/winsock.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>

namespace machine::platform {

namespace {

using Clock = std::chrono::steady_clock;

// select()'s set as Windows lays it out: a count, then that many sockets. FD_SETSIZE only sizes
// the default array (64), and select() reads the count, so a set for more is this, sized to fit.
class SocketSet {
public:
    explicit SocketSet(std::size_t capacity) : words_(first + capacity) {}
    void add(SOCKET socket) {
        words_[first + count_++] = socket;
        std::memcpy(words_.data(), &count_, sizeof count_); // fd_count, at offset 0
    }
    fd_set *get() { return count_ ? reinterpret_cast<fd_set *>(words_.data()) : nullptr; }
    // After select(): the set holds the ready sockets alone.
    bool has(SOCKET socket) const {
        u_int count = 0;
        std::memcpy(&count, words_.data(), sizeof count);
        auto begin = words_.begin() + first;
        return std::find(begin, begin + count, socket) != begin + count;
    }

private:
    static_assert(offsetof(fd_set, fd_array) % sizeof(SOCKET) == 0);
    static constexpr std::size_t first = offsetof(fd_set, fd_array) / sizeof(SOCKET);
    std::vector<SOCKET> words_;
    u_int count_ = 0;
};

// The wait poll_sockets falls back to: select() tells a reader of a FIN, never a writer.
int select_sockets(std::vector<WSAPOLLFD> &fds, Clock::time_point deadline) {
    SocketSet reading(fds.size()), writing(fds.size()), failing(fds.size());
    for (const auto &entry : fds) {
        if (entry.fd == INVALID_SOCKET || entry.events == 0)
            continue;
        if (entry.events & POLLIN)
            reading.add(entry.fd);
        if (entry.events & POLLOUT)
            writing.add(entry.fd);
        failing.add(entry.fd); // a non-blocking connect() that failed
    }
    timeval timeout{};
    if (deadline != Clock::time_point::max()) {
        auto left = std::max(Clock::duration::zero(), deadline - Clock::now());
        auto micro = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
        timeout.tv_sec = long(micro / 1000000);
        timeout.tv_usec = long(micro % 1000000);
    }
    int rc = select(0, reading.get(), writing.get(), failing.get(),
                    deadline == Clock::time_point::max() ? nullptr : &timeout);
    if (rc <= 0)
        return rc;
    int ready = 0;
    for (auto &entry : fds) {
        if (entry.fd == INVALID_SOCKET || entry.events == 0)
            continue;
        entry.revents = short(((entry.events & POLLIN) && reading.has(entry.fd) ? POLLIN : 0) |
                              ((entry.events & POLLOUT) && writing.has(entry.fd) ? POLLOUT : 0) |
                              (failing.has(entry.fd) ? POLLERR : 0));
        ready += entry.revents != 0;
    }
    return ready;
}

} // namespace

void start_winsock() {
    // A function-local static: started by whichever call needs it first, and once even when
    // threads race (C++ guards the initialisation), where a global's constructor would run in no
    // set order with other files' statics that might make a socket. Never cleaned up: WSACleanup
    // at exit would pull sockets from under threads still running then.
    static const bool started = [] {
        WSADATA data;
        return WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }();
    (void)started; // a failed start shows as WSANOTINITIALISED from the call that follows
}

SOCKET new_socket(int family, int type, int protocol) {
    start_winsock();
    return WSASocketW(family, type, protocol, nullptr, 0,
                      WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

bool set_nonblocking(SOCKET socket) {
    u_long on = 1;
    return ioctlsocket(socket, FIONBIO, &on) == 0;
}

int poll_sockets(std::vector<WSAPOLLFD> &fds, int timeout_ms) {
    auto deadline = timeout_ms < 0 ? Clock::time_point::max()
                                   : Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::vector<WSAPOLLFD> polled;
    std::vector<std::size_t> where; // polled[k] is fds[where[k]]
    for (std::size_t i = 0; i < fds.size(); ++i) {
        fds[i].revents = 0;
        if (fds[i].fd != INVALID_SOCKET && fds[i].events != 0) {
            polled.push_back({fds[i].fd, fds[i].events, 0});
            where.push_back(i);
        }
    }
    if (polled.empty()) {
        Sleep(timeout_ms < 0 ? INFINITE : DWORD(timeout_ms));
        return 0;
    }
    int rc = WSAPoll(polled.data(), ULONG(polled.size()), timeout_ms);
    if (rc <= 0)
        return rc;
    int ready = 0;
    for (std::size_t k = 0; k < polled.size(); ++k) {
        auto revents = polled[k].revents;
        if (revents & POLLNVAL)
            revents = short((revents & ~POLLNVAL) | POLLERR);
        if (!(polled[k].events & POLLIN))
            revents = short(revents & ~POLLHUP); // the peer's FIN, which only a reader hears of
        fds[where[k]].revents = revents;
        ready += revents != 0;
    }
    return ready > 0 ? ready : select_sockets(fds, deadline);
}

} // namespace machine::platform
