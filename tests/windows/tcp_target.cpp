#include "tcp_target.h"

#include "platform/windows_error.h"

#include <algorithm>
#include <vector>

namespace machine::platform {

std::string Conversation::receive() {
    std::vector<char> buffer(64 * 1024);
    auto received = io_.receive(socket_, buffer.data(), DWORD(buffer.size()));
    return received.ok() ? std::string(buffer.data(), received.bytes) : std::string();
}

bool Conversation::send(const std::string &data) {
    // In pieces: Wine 8 can leave one large overlapped send pending for good after the peer
    // reset the connection, where a new send sees the reset at once.
    constexpr std::size_t piece = 64 * 1024;
    std::size_t done = 0;
    while (done < data.size()) {
        auto size = std::min(piece, data.size() - done);
        auto sent = io_.send(socket_, data.data() + done, DWORD(size));
        if (!sent.ok() || sent.bytes == 0)
            return false;
        done += sent.bytes;
    }
    return true;
}

TcpTarget::TcpTarget(std::function<void(Conversation &)> serve)
    : serve_(std::move(serve)), listener_(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)),
      stop_(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    if (!listener_ || !stop_ ||
        bind(listener_.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        listen(listener_.get(), SOMAXCONN) != 0 ||
        getsockname(listener_.get(), reinterpret_cast<sockaddr *>(&address), &length) != 0)
        throw_windows_error("cannot listen on 127.0.0.1", WSAGetLastError());
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_connections(); });
}

TcpTarget::~TcpTarget() {
    stopping_ = true;
    SetEvent(stop_.get());
    try {
        connect(); // wakes the blocking accept()
    } catch (const std::exception &) {
        listener_.reset(); // fails it instead
    }
    acceptor_.join();
}

WinSocket TcpTarget::connect() const {
    WinSocket socket(::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(u_short(port_));
    if (!socket ||
        ::connect(socket.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        throw_windows_error("cannot connect to the test target", WSAGetLastError());
    return socket;
}

bool TcpTarget::all_ended_within(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return ended_changed_.wait_for(lock, timeout, [this] { return ended_ == connections_; });
}

int TcpTarget::ended() {
    std::lock_guard lock(mutex_);
    return ended_;
}

void TcpTarget::accept_connections() {
    for (;;) {
        WinSocket accepted(accept(listener_.get(), nullptr, nullptr));
        if (stopping_)
            return; // conversations_ joins every thread
        if (!accepted)
            continue;
        ++connections_;
        conversations_.emplace_back([this, socket = std::move(accepted)] {
            {
                Conversation conversation(socket.get(), stop_.get());
                serve_(conversation);
            }
            std::lock_guard lock(mutex_);
            ++ended_;
            ended_changed_.notify_all();
        });
    }
}

} // namespace machine::platform
