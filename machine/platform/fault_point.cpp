#include "platform/fault_point.h"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace machine::platform {

void fault_point(const char *step) {
    const char *target = std::getenv("MACHINE_TEST_KILL_AT");
    if (target && std::strcmp(target, step) == 0)
        std::raise(SIGKILL);
}

} // namespace machine::platform
