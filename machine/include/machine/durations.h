#pragma once
// The idle pause's duration, as Go writes durations (podman's flags take them so): "90s", "5m",
// "1h30m"; "0" turns it off.
#include <chrono>
#include <string>
#include <string_view>

namespace machine {

inline constexpr std::chrono::seconds min_idle_pause{10};
inline constexpr std::chrono::seconds max_idle_pause{24 * 3600};

// Whole seconds: 0 (off: "0", "0s"), or from 10s to 24h in h/m/s parts. Throws InvalidInput naming
// --idle-pause and what is accepted.
std::chrono::seconds parse_idle_pause(std::string_view text);

// "1h30m0s", "5m0s", "45s", "0s": what Go's Duration.String() prints for whole seconds.
std::string format_duration(std::chrono::seconds duration);

} // namespace machine
