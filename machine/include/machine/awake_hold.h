#pragma once
// A session in a machine (`machine ssh`, `machine cp`, the unmount before a suspend) keeps it
// from being paused at idle (--idle-pause) while it lasts, and wakes it first. SSH reaches the
// guest through the hypervisor's network, which the forwarder does not see: each session holds a
// lock file of its own in the machine's runtime folder (`awake-ID`), and the forwarder looks for
// held ones before it pauses. A killed session's lock is released with it; its file stays until
// the next start or stop empties the runtime folder.
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "platform/file_lock.h"

#include <filesystem>
#include <optional>

namespace machine {

class AwakeHold {
public:
    // For a machine that pauses at idle (nothing otherwise): takes the hold, then asks the
    // forwarded API socket for /_ping, which the forwarder answers by running a paused VM on, and
    // waits for the answer (a forwarder that does not answer is not waited for long: the hold
    // still counts).
    AwakeHold(const MachineConfig &config, const Layout &layout);
    ~AwakeHold(); // removes its file
    AwakeHold(const AwakeHold &) = delete;
    AwakeHold &operator=(const AwakeHold &) = delete;

private:
    std::filesystem::path path_;
    std::optional<platform::FileLock> lock_;
};

// Whether a live session holds the machine awake (the forwarder asks, before it pauses).
bool held_awake(const Layout &layout);

} // namespace machine
