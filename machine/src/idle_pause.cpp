#include "machine/idle_pause.h"

#include "machine/durations.h"
#include "machine/errors.h"

#include <fmt/format.h>

namespace machine {

IdlePause::IdlePause(IdlePauseOptions options, VmEvents &vm)
    : options_(std::move(options)), vm_(vm) {}

void IdlePause::look(std::size_t busy_streams) {
    auto now = Clock::now();
    if (paused_ || busy_streams > 0 || options_.held_awake()) {
        busy_at_ = now;
        return;
    }
    if (now - busy_at_ < options_.after)
        return;
    busy_at_ = now; // a pause that fails is tried again after another idle time
    try {
        vm_.pause();
        paused_ = true;
        paused_at_ = now;
        options_.log(fmt::format("forwarder: no client for {}; the VM is paused",
                                 format_duration(options_.after)));
    } catch (const Error &error) {
        options_.log(std::string("forwarder: cannot pause the idle VM: ") + error.what());
    }
}

bool IdlePause::wake() {
    if (!paused_)
        return false;
    paused_ = false;
    busy_at_ = Clock::now();
    try {
        vm_.run_on();
    } catch (const Error &error) {
        options_.log(std::string("forwarder: cannot run the paused VM on: ") + error.what());
        return false;
    }
    auto slept = std::chrono::duration_cast<std::chrono::seconds>(busy_at_ - paused_at_);
    options_.log(fmt::format("forwarder: a client came; the VM runs again after {} paused",
                             format_duration(slept)));
    return true;
}

} // namespace machine
