#include "machine/awake_hold.h"

#include "machine/api_ping.h"
#include "machine/errors.h"

#include <fmt/format.h>
#include <random>
#include <string_view>

namespace machine {

namespace {

using namespace std::chrono_literals;

// In the runtime folder, whose files every start and stop removes.
constexpr std::string_view hold_prefix = "awake-";

std::filesystem::path hold_path(const Layout &layout) {
    std::random_device random;
    return layout.runtime_dir() / fmt::format("{}{:08x}{:08x}", hold_prefix, random(), random());
}

} // namespace

AwakeHold::AwakeHold(const MachineConfig &config, const Layout &layout) {
    if (config.idle_pause_seconds == 0)
        return;
    path_ = hold_path(layout);
    lock_.emplace(platform::FileLock::acquire(path_));
    try {
        api_answers(layout.api_socket(), 30s); // any answer: the guest runs
    } catch (const SystemError &) {
        // No forwarder to ask: nothing paused the VM but a forwarder, and the next one runs it
        // on as it starts (QemuEvents).
    }
}

AwakeHold::~AwakeHold() {
    std::error_code ignored;
    if (lock_)
        std::filesystem::remove(path_, ignored);
}

bool held_awake(const Layout &layout) {
    std::error_code error;
    for (const auto &entry : std::filesystem::directory_iterator(layout.runtime_dir(), error)) {
        if (!entry.path().filename().string().starts_with(hold_prefix))
            continue;
        try {
            if (!platform::FileLock::try_acquire(entry.path()).held())
                return true;
        } catch (const SystemError &) { // gone between the listing and the look
        }
    }
    return false;
}

} // namespace machine
