#include "platform/fault_point.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace machine::platform {

namespace {

bool is(const char *variable, const char *step) {
    const char *target = std::getenv(variable);
    return target && std::strcmp(target, step) == 0;
}

} // namespace

void fault_point(const char *step) {
    if (is("MACHINE_TEST_SLEEP_AT", step))
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    if (is("MACHINE_TEST_KILL_AT", step))
        std::raise(SIGKILL);
}

} // namespace machine::platform
