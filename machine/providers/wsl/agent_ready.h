#pragma once
// WSL's ready channel: the command that starts the machine. The host runs the agent in the
// distribution (wsl_provision(..., wait = true)), which boots it; the agent applies the config and
// prints "Ready" on its stdout once sshd and the podman socket are up, then ends. Anything else
// on that stdout (wsl.exe's own errors go there too) is added to the console log, where the
// lifecycle's messages point.
#include "machine/provider.h"
#include "platform/stdio_process.h"

#include <filesystem>
#include <memory>
#include <string>

namespace machine {

class AgentReady : public ReadySignal {
public:
    AgentReady(std::unique_ptr<platform::StdioProcess> agent, std::filesystem::path console_log)
        : agent_(std::move(agent)), console_log_(std::move(console_log)) {}

    Event wait(platform::Clock::time_point deadline) override;

private:
    std::unique_ptr<platform::StdioProcess> agent_;
    std::filesystem::path console_log_;
    std::string buffer_;
    bool ended_ = false;
};

} // namespace machine
