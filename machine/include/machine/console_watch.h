#pragma once
// Reads the serial console log as the guest boots, for what our guest agent says there: its first
// line ("machine-agent: started") marks the end of the kernel's part of the boot (the
// "provisioning" phase of `start`), and when it cannot provision the machine (a malformed config,
// a user it cannot make) it prints one line ending "; not sending Ready"
// (provisioning/agent/main.cpp), so `start` fails at once with the agent's own words instead of
// at its timeout. Images without our agent simply never say either.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace machine {

class ConsoleWatch {
public:
    explicit ConsoleWatch(std::filesystem::path log);

    // Reads what the log gained since the last call (only whole lines count).
    void poll();

    bool agent_started() const { return agent_started_; }
    // The agent's failure line, without control characters.
    const std::optional<std::string> &agent_failure() const { return agent_failure_; }

private:
    void read_line(const std::string &line);

    std::filesystem::path log_;
    std::uintmax_t offset_ = 0;
    std::string partial_line_;
    bool agent_started_ = false;
    std::optional<std::string> agent_failure_;
};

// The failure line in one line of console output, if it is one (pure; for tests).
std::optional<std::string> agent_failure_in(const std::string &console_line);

} // namespace machine
