#include "platform/stdio_process.h"

#include "platform/windows_error.h"
#include "platform/windows_process.h"
#include "platform/winsock.h"

#include <thread>

namespace machine::platform {

namespace {

// The relay's half of the socket pair and the child's pipes, shared by the two relay threads and
// freed by the last of them. The threads are detached: each ends when its pipe or the socket
// ends, which a grandchild holding the child's stdout may delay past our own object's life.
struct Relay {
    WinSocket socket;
    WindowsPipe to_child{true}, from_child{false};
};

// The child's stdout into the socket; at its end the socket's sending side is shut, so our end
// reads to its end as it would on POSIX when the child exits.
void relay_output(std::shared_ptr<Relay> relay) {
    char buffer[65536];
    DWORD n = 0;
    while (ReadFile(relay->from_child.ours.get(), buffer, sizeof buffer, &n, nullptr) && n > 0)
        for (DWORD sent = 0; sent < n;) {
            int k = ::send(relay->socket.get(), buffer + sent, int(n - sent), 0);
            if (k <= 0)
                return;
            sent += DWORD(k);
        }
    ::shutdown(relay->socket.get(), SD_SEND);
}

// The socket into the child's stdin; its end (our end shut or closed) closes the child's stdin.
// What comes after the child stopped reading is dropped, as a closed pipe would on POSIX, so
// that our writes never wait for a reader that is gone.
void relay_input(std::shared_ptr<Relay> relay) {
    char buffer[65536];
    int n = 0;
    bool reading = true;
    while ((n = ::recv(relay->socket.get(), buffer, sizeof buffer, 0)) > 0)
        if (reading && !pipe_write_all(relay->to_child.ours.get(), buffer, std::size_t(n))) {
            reading = false;
            relay->to_child.ours.reset();
        }
    relay->to_child.ours.reset();
}

} // namespace

struct StdioProcess::Child {
    WinHandle process;
};

StdioProcess::StdioProcess(const Command &command, const std::filesystem::path &log) {
    start_winsock();
    auto [ours, relays] = loopback_socket_pair();
    auto relay = std::make_shared<Relay>();
    relay->socket = std::move(relays);

    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    WinHandle err;
    if (!log.empty()) {
        err = WinHandle(CreateFileW(log.c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                    &inherit, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!err)
            throw_windows_error("cannot open " + log.string(), GetLastError());
    }
    auto child =
        start_windows_process(command, relay->to_child.theirs.get(), relay->from_child.theirs.get(),
                              err ? err.get() : GetStdHandle(STD_ERROR_HANDLE), CREATE_NO_WINDOW);
    // The child holds its ends now: its exit is the end of its stdout.
    relay->to_child.theirs.reset();
    relay->from_child.theirs.reset();
    child_ = std::make_unique<Child>(Child{std::move(child.process)});
    stream_ = Fd(int(ours.release()));
    std::thread(relay_output, relay).detach();
    std::thread(relay_input, relay).detach();

    if (command.input.empty())
        return;
    write_all(stream_.get(), command.input); // blocking; the relay drains it into the child
    ::shutdown(as_socket(stream_.get()), SD_SEND);
}

StdioProcess::~StdioProcess() {
    stream_ = Fd(); // the relay ends the child's stdin
    if (!child_ || exit_code_ >= 0)
        return;
    if (WaitForSingleObject(child_->process.get(), DWORD(grace.count())) == WAIT_TIMEOUT) {
        TerminateProcess(child_->process.get(), 137);
        WaitForSingleObject(child_->process.get(), INFINITE);
    }
}

bool StdioProcess::running() {
    if (exit_code_ >= 0)
        return false;
    if (WaitForSingleObject(child_->process.get(), 0) == WAIT_TIMEOUT)
        return true;
    DWORD code = 0;
    GetExitCodeProcess(child_->process.get(), &code);
    exit_code_ = int(code);
    return false;
}

} // namespace machine::platform
