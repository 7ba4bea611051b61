#pragma once
// Reads the serial console log as the guest boots, for the guest agent's verdict: when it cannot
// provision the machine (a malformed config, a user it cannot make) it prints one line ending
// "; not sending Ready" (provisioning/agent/main.cpp). Seeing that line lets `start` fail at once
// with the agent's own words instead of at its timeout.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace machine {

class ConsoleWatch {
public:
    explicit ConsoleWatch(std::filesystem::path log);

    // The agent's failure line (without the kernel's timestamp or control characters), if one
    // appeared in what the log gained since the last call.
    std::optional<std::string> agent_failure();

private:
    std::filesystem::path log_;
    std::uintmax_t offset_ = 0;
    std::string partial_line_;
};

// The failure line in one line of console output, if it is one (pure; for tests).
std::optional<std::string> agent_failure_in(const std::string &console_line);

} // namespace machine
