#pragma once
// Local input (stdin: a terminal, a pipe or a file) in a form that a wait on sockets can take
// in, for `machine ssh`'s relay. POSIX: the descriptor itself, since poll() waits on anything.
// Windows, where WSAPoll sees only sockets: a thread reads the input into a loopback socket pair.
#include <cstddef>
#include <memory>

namespace machine::platform {

class WaitableInput {
public:
    explicit WaitableInput(int fd);
    ~WaitableInput();
    WaitableInput(const WaitableInput &) = delete;
    WaitableInput &operator=(const WaitableInput &) = delete;

    // What to wait on (platform/socket_io.h) until there is something to read.
    int wait_fd() const;
    // What is there, up to `size` bytes; 0 at the end. Throws SystemError.
    std::size_t read(char *buffer, std::size_t size);

private:
    struct Relay;
    int fd_;
    std::unique_ptr<Relay> relay_;
};

} // namespace machine::platform
