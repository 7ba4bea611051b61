#pragma once
// QEMU's machine protocol over its unix socket: greeting, capabilities, commands, and events
// (kept aside while waiting for a command's reply).
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
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
    // The same with a file descriptor passed along (SCM_RIGHTS; `getfd`). POSIX only.
    nlohmann::json execute_with_file(const std::string &command, const nlohmann::json &arguments,
                                     int descriptor);

    // Events received so far (e.g. SHUTDOWN, POWERDOWN), oldest first.
    const std::vector<nlohmann::json> &events() const { return events_; }

    // The next event not yet taken (events() included), waiting until `deadline`; nullopt when
    // none came by then. Throws QmpError when QEMU closed the socket.
    std::optional<nlohmann::json> next_event(platform::Clock::time_point deadline);

    // Readable when QEMU sent something (an event).
    int fd() const { return fd_.get(); }

private:
    nlohmann::json read_message(platform::Clock::time_point deadline);
    nlohmann::json reply_to(const std::string &command);

    platform::Fd fd_;
    std::chrono::milliseconds timeout_;
    std::string buffer_;
    std::vector<nlohmann::json> events_;
    std::size_t events_taken_ = 0; // by next_event
};

} // namespace machine
