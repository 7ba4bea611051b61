#include "machine/awake_hold.h"

#include "machine/errors.h"
#include "platform/socket_io.h"
#include "platform/unix_socket.h"

#include <fmt/format.h>
#include <random>
#include <string_view>

namespace machine {

namespace {

using namespace std::chrono_literals;

// A request the forwarder carries to the guest (waking it), and the start of the answer.
void ping_api(const std::filesystem::path &socket, std::chrono::milliseconds timeout) {
    auto deadline = platform::Clock::now() + timeout;
    auto api = platform::connect_unix(socket);
    platform::write_all(api.get(), "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
    char answer[64];
    while (platform::Clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          platform::Clock::now());
        if (!platform::wait_any_readable({api.get()}, left).front())
            continue;
        auto got = platform::receive_available(api.get(), answer, sizeof answer);
        if (got) // an answer, or the end: the guest runs, or cannot be asked
            return;
    }
}

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
        ping_api(layout.api_socket(), 30s);
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
