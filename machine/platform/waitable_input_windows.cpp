#include "platform/waitable_input.h"

#include "machine/errors.h"
#include "platform/winsock.h"

#include <algorithm>
#include <cerrno>
#include <io.h>
#include <thread>

namespace machine::platform {

// The socket the relay thread writes to. The thread is detached and holds its own reference:
// a read from a console cannot be interrupted, so it ends only with the input (or the process).
struct WaitableInput::Relay {
    WinSocket ours;
};

namespace {

void relay_input(int fd, std::shared_ptr<WinSocket> socket) {
    char buffer[32768];
    int n = 0;
    while ((n = ::_read(fd, buffer, sizeof buffer)) > 0)
        for (int sent = 0; sent < n;) {
            int k = ::send(socket->get(), buffer + sent, n - sent, 0);
            if (k <= 0)
                return; // our end is gone: nobody wants the input any more
            sent += k;
        }
    ::shutdown(socket->get(), SD_SEND);
}

} // namespace

WaitableInput::WaitableInput(int fd) : fd_(fd) {
    start_winsock();
    auto [ours, theirs] = loopback_socket_pair();
    relay_ = std::make_unique<Relay>(Relay{std::move(ours)});
    std::thread(relay_input, fd, std::make_shared<WinSocket>(std::move(theirs))).detach();
}

WaitableInput::~WaitableInput() = default;

int WaitableInput::wait_fd() const {
    return int(relay_->ours.get());
}

std::size_t WaitableInput::read(char *buffer, std::size_t size) {
    int n = ::recv(relay_->ours.get(), buffer, int(std::min<std::size_t>(size, 1 << 30)), 0);
    if (n < 0)
        throw SystemError("cannot read the input", WSAGetLastError());
    return std::size_t(n);
}

} // namespace machine::platform
