#pragma once
// The idle pause (--idle-pause): the forwarder stops the VM's CPUs once no client has had a
// stream open for the machine's idle time and no session holds it awake (awake_hold.h), and runs
// them on as the next client comes, before that client's stream is opened, so the client sees
// nothing but a little latency. A paused VM costs the host no CPU, and its memory stays.
#include "machine/provider.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace machine {

struct IdlePauseOptions {
    std::chrono::seconds after{0};
    std::function<bool()> held_awake = [] { return false; };
    std::function<void(const std::string &)> log = [](const std::string &) {};
};

class IdlePause {
public:
    IdlePause(IdlePauseOptions options, VmEvents &vm);

    // Called at least once a second with how many streams clients have open; pauses when due.
    void look(std::size_t busy_streams);
    // A client came: runs a paused VM on; true when it was paused.
    bool wake();
    bool paused() const { return paused_; }

private:
    using Clock = std::chrono::steady_clock;

    IdlePauseOptions options_;
    VmEvents &vm_;
    bool paused_ = false;
    Clock::time_point busy_at_ = Clock::now(); // when a client last had a stream
    Clock::time_point paused_at_{};
};

} // namespace machine
