#include "providers/apple/vm_rest.h"

#include "machine/errors.h"
#include "machine/http_response.h"
#include "machine/printable.h"
#include "platform/file_io.h"

#include <cerrno>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace machine {

std::string vm_state_request() {
    return "GET /vm/state HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
}

std::string vm_state_change_request(std::string_view state) {
    auto body = nlohmann::json{{"state", state}}.dump();
    // One write: krunkit reads a request with a single read().
    return fmt::format("POST /vm/state HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                       "application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                       body.size(), body);
}

MachineState parse_rest_vm_state(const std::string &body) {
    auto end = body.find_last_not_of(std::string("\0 \t\r\n", 5));
    auto text = body.substr(0, end == std::string::npos ? 0 : end + 1);
    auto answer = nlohmann::json::parse(text, nullptr, false);
    if (!answer.is_object() || !answer.contains("state") || !answer["state"].is_string())
        throw ProtocolError("the hypervisor's /vm/state answered \"" + printable(text) +
                            "\", not a state");
    auto state = answer["state"].get<std::string>();
    if (state == "VirtualMachineStateStopped" || state == "VirtualMachineStateError")
        return MachineState::stopped;
    if (state.rfind("VirtualMachineState", 0) != 0)
        throw ProtocolError("the hypervisor's /vm/state says \"" + printable(state) +
                            "\", which is no state it has");
    return MachineState::running; // Running, Starting, Paused, Stopping, Saving...
}

std::optional<std::string> rest_exchange(const std::filesystem::path &socket,
                                         const std::string &request,
                                         platform::Clock::time_point deadline) {
    platform::Fd connection;
    try {
        connection = platform::connect_unix(socket);
    } catch (const SystemError &e) {
        if (e.error_number() == ENOENT || e.error_number() == ECONNREFUSED)
            return std::nullopt; // no socket, or nobody behind it: the hypervisor is gone
        throw;
    }
    HttpResponse response;
    std::string body;
    try {
        platform::write_all(connection.get(), request);
        char buffer[4096];
        while (!response.complete()) {
            if (!platform::wait_readable(connection.get(), deadline))
                throw Timeout("the hypervisor's REST API at " + socket.string() +
                              " did not answer in time");
            auto n = platform::read_some(connection.get(), buffer, sizeof buffer);
            if (n == 0)
                break; // an answer without a length ends with the connection
            response.feed({buffer, n});
            body += response.take_body();
        }
    } catch (const ProtocolError &e) {
        throw ProtocolError(
            fmt::format("the hypervisor's REST API at {}: {}", socket.string(), e.what()));
    } catch (const SystemError &e) {
        if (e.error_number() == ECONNRESET || e.error_number() == EPIPE)
            return std::nullopt; // it died while we asked
        throw;
    }
    if (!response.headers_done())
        throw ProtocolError("the hypervisor's REST API at " + socket.string() +
                            " closed without answering");
    if (response.status() < 200 || response.status() > 299)
        throw ProtocolError(fmt::format("the hypervisor's REST API at {} answered HTTP {}: {}",
                                        socket.string(), response.status(), printable(body)));
    return body;
}

} // namespace machine
