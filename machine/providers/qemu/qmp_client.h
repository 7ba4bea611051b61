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

// One line from QEMU's monitor: a JSON object, else QmpError. (Pure, fuzzed.)
nlohmann::json parse_qmp_message(const std::string &line);

// The reply to `command` in a (non-event) message: its "return", or QmpError for an "error" or
// anything else. (Pure, fuzzed.)
nlohmann::json qmp_return_of(const nlohmann::json &message, const std::string &command);

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
