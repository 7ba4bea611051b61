#include "platform/host.h"

#include <chrono>
#include <thread>

namespace machine::platform {

HostOs host_os() {
#if defined(__APPLE__)
    return HostOs::macos;
#elif defined(_WIN32)
    return HostOs::windows;
#else
    return HostOs::linux;
#endif
}

std::string host_os_name() {
    switch (host_os()) {
    case HostOs::macos:
        return "darwin";
    case HostOs::windows:
        return "windows";
    case HostOs::linux:
        break;
    }
    return "linux";
}

int host_cpu_count() {
    auto n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : int(n);
}

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace machine::platform
