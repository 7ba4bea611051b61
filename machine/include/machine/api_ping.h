#pragma once
// One `GET /_ping` through a machine's forwarded API socket: how `start` knows the engine
// answers, and how a session wakes a VM paused at idle (awake_hold.h).
#include <chrono>
#include <filesystem>

namespace machine {

// Whether the API at `socket` answers GET /_ping with 200 within `timeout` (false when it answers
// otherwise, closes, or says nothing in time). Throws SystemError when nothing listens there.
bool api_answers(const std::filesystem::path &socket, std::chrono::milliseconds timeout);

} // namespace machine
