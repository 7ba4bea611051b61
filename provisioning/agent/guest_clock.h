#pragma once
// The guest's clock kept to the host's, from machine-mux's TIME frames (docs/mux-protocol.md): a
// VM's clock stands still while it is paused or saved, and nothing else in the guest resyncs it
// (no NTP: the guest may have no route to a time server).
#include "provisioning/agent/log.h"

#include <chrono>
#include <cstdint>
#include <optional>

namespace machine::agent {

// How far apart the clocks may be before the guest's is set: a TIME frame takes a moment to cross.
inline constexpr std::chrono::milliseconds clock_tolerance{50};

// The step that brings `guest` to `host` (both nanoseconds since the epoch), or nullopt when they
// are within the tolerance. Pure.
std::optional<std::chrono::nanoseconds> clock_step(std::int64_t guest, std::int64_t host);

// Sets the system clock (CLOCK_REALTIME) to the host's time when it is off; logs a step of a
// second or more. Throws nothing: a refused step is logged.
void follow_host_clock(std::int64_t host_nanoseconds, const Log &log);

} // namespace machine::agent
