#pragma once
// A transfer's progress on a terminal: "42% 120MiB/300MiB 55MiB/s", redrawn at most five times a
// second, for transfers of 8 MiB and more. Prints nothing when stderr is not a terminal.
#include <chrono>
#include <cstdint>

namespace machine::cli {

class ProgressBar {
public:
    void operator()(std::uint64_t done, std::uint64_t total);

private:
    std::chrono::steady_clock::time_point begin_ = std::chrono::steady_clock::now(), drawn_;
};

} // namespace machine::cli
