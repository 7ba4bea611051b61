#include "platform/stop_signals.h"

#include <csignal>

namespace machine::platform {

namespace {

volatile std::sig_atomic_t requested = 0;

extern "C" void on_stop_signal(int) {
    requested = 1;
}

} // namespace

void catch_stop_signals() {
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);
}

bool stop_requested() {
    return requested != 0;
}

} // namespace machine::platform
