#pragma once
// QEMU's machine protocol over its unix socket: greeting, capabilities, commands, and events
// (kept aside while waiting for a command's reply).
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "platform/unix_socket.h"

namespace machine {

class QmpClient {
public:
    // Connects, reads the greeting and negotiates capabilities. Throws QmpError/SystemError.
    QmpClient(const std::filesystem::path &socket, std::chrono::milliseconds timeout);

    // Runs a command and returns its "return" value; an "error" reply throws QmpError.
    nlohmann::json execute(const std::string &command, const nlohmann::json &arguments = {});

    // Events received so far (e.g. SHUTDOWN, POWERDOWN), oldest first.
    const std::vector<nlohmann::json> &events() const { return events_; }

private:
    nlohmann::json read_message();

    platform::Fd fd_;
    std::chrono::milliseconds timeout_;
    std::string buffer_;
    std::vector<nlohmann::json> events_;
};

} // namespace machine
