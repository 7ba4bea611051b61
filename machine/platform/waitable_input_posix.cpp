#include "platform/waitable_input.h"

#include "platform/file_io.h"

namespace machine::platform {

struct WaitableInput::Relay {};

WaitableInput::WaitableInput(int fd) : fd_(fd) {}

WaitableInput::~WaitableInput() = default;

int WaitableInput::wait_fd() const {
    return fd_;
}

std::size_t WaitableInput::read(char *buffer, std::size_t size) {
    return read_some(fd_, buffer, size);
}

} // namespace machine::platform
