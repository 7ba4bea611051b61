#include "platform/fault_point.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>
#ifdef _WIN32
#include <windows.h>
#endif

namespace machine::platform {

namespace {

bool is(const char *variable, const char *step) {
    const char *target = std::getenv(variable);
    return target && std::strcmp(target, step) == 0;
}

} // namespace

void fault_point(const char *step) {
    if (is("MACHINE_TEST_SLEEP_AT", step)) {
        const char *ms = std::getenv("MACHINE_TEST_SLEEP_MS");
        std::this_thread::sleep_for(std::chrono::milliseconds(ms ? std::atoi(ms) : 1500));
    }
    if (is("MACHINE_TEST_KILL_AT", step))
#ifdef _WIN32
        TerminateProcess(GetCurrentProcess(), 137); // no handler, no cleanup: as SIGKILL
#else
        std::raise(SIGKILL);
#endif
}

} // namespace machine::platform
