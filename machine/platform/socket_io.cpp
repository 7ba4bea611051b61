#include "platform/socket_io.h"

namespace machine::platform {

std::vector<bool> wait_any_readable(const std::vector<int> &fds,
                                    std::chrono::milliseconds timeout) {
    std::vector<Watch> watches;
    for (int fd : fds)
        watches.push_back({.fd = fd, .read = true});
    wait_ready(watches, timeout);
    std::vector<bool> readable;
    for (const auto &watch : watches)
        readable.push_back(watch.readable);
    return readable;
}

} // namespace machine::platform
