#include "providers/qemu/qmp_client.h"

#include "machine/errors.h"

namespace machine {

QmpClient::QmpClient(const std::filesystem::path &socket, std::chrono::milliseconds timeout)
    : fd_(platform::connect_unix(socket)), timeout_(timeout) {
    auto greeting = read_message(platform::Clock::now() + timeout_);
    if (!greeting.contains("QMP"))
        throw QmpError("QEMU's monitor did not greet as QMP: " + greeting.dump());
    execute("qmp_capabilities");
}

nlohmann::json parse_qmp_message(const std::string &line) {
    auto message = nlohmann::json::parse(line, nullptr, false);
    if (message.is_discarded() || !message.is_object())
        throw QmpError("QEMU's monitor sent something that is not JSON: " + line.substr(0, 200));
    return message;
}

nlohmann::json qmp_return_of(const nlohmann::json &message, const std::string &command) {
    if (auto error = message.find("error"); error != message.end()) {
        auto desc = error->is_object() && error->contains("desc") && (*error)["desc"].is_string()
                        ? (*error)["desc"].get<std::string>()
                        : error->dump();
        throw QmpError("QEMU refused " + command + ": " + desc);
    }
    if (auto value = message.find("return"); value != message.end())
        return *value;
    throw QmpError("QEMU's monitor sent an unexpected reply: " + message.dump().substr(0, 200));
}

nlohmann::json QmpClient::read_message(platform::Clock::time_point deadline) {
    bool eof = false;
    auto line = platform::read_line(fd_.get(), deadline, buffer_, eof);
    if (eof && line.empty())
        throw QmpError("QEMU closed its monitor socket");
    return parse_qmp_message(line);
}

nlohmann::json QmpClient::execute(const std::string &command, const nlohmann::json &arguments) {
    nlohmann::json request{{"execute", command}};
    if (!arguments.is_null())
        request["arguments"] = arguments;
    platform::write_all(fd_.get(), request.dump() + "\n");
    return reply_to(command);
}

nlohmann::json QmpClient::execute_with_file(const std::string &command,
                                            const nlohmann::json &arguments, int descriptor) {
    nlohmann::json request{{"execute", command}, {"arguments", arguments}};
    platform::write_with_descriptor(fd_.get(), request.dump() + "\n", descriptor);
    return reply_to(command);
}

nlohmann::json QmpClient::reply_to(const std::string &command) {
    for (;;) {
        auto message = read_message(platform::Clock::now() + timeout_);
        if (message.contains("event")) {
            events_.push_back(std::move(message));
            continue;
        }
        return qmp_return_of(message, command);
    }
}

std::optional<nlohmann::json> QmpClient::next_event(platform::Clock::time_point deadline) {
    for (;;) {
        if (events_taken_ < events_.size())
            return events_[events_taken_++];
        try {
            auto message = read_message(deadline);
            if (message.contains("event")) // handed out, not kept: a watch runs for days
                return message;
        } catch (const Timeout &) {
            return std::nullopt;
        }
    }
}

} // namespace machine
