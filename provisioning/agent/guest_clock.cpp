#include "provisioning/agent/guest_clock.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

namespace machine::agent {

namespace {

std::int64_t now_nanoseconds() {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return std::int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

} // namespace

std::optional<std::chrono::nanoseconds> clock_step(std::int64_t guest, std::int64_t host) {
    std::chrono::nanoseconds step(host - guest);
    if (step < clock_tolerance && step > -clock_tolerance)
        return std::nullopt;
    return step;
}

void follow_host_clock(std::int64_t host_nanoseconds, const Log &log) {
    auto step = clock_step(now_nanoseconds(), host_nanoseconds);
    if (!step)
        return;
    timespec to{time_t(host_nanoseconds / 1'000'000'000), long(host_nanoseconds % 1'000'000'000)};
    if (::clock_settime(CLOCK_REALTIME, &to) != 0) {
        log.error(std::string("cannot set the clock to the host's: ") + std::strerror(errno));
        return;
    }
    auto seconds = std::chrono::duration<double>(*step).count();
    if (seconds >= 1 || seconds <= -1)
        log.info("the clock was " + std::to_string(seconds < 0 ? -seconds : seconds) + " s " +
                 (seconds > 0 ? "behind" : "ahead of") + " the host's; set");
}

} // namespace machine::agent
