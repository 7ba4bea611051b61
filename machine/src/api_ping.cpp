#include "machine/api_ping.h"

#include "platform/socket_io.h"
#include "platform/unix_socket.h"

#include <string>

namespace machine {

bool api_answers(const std::filesystem::path &socket, std::chrono::milliseconds timeout) {
    auto deadline = platform::Clock::now() + timeout;
    auto api = platform::connect_unix(socket);
    platform::write_all(api.get(), "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
    std::string status; // "HTTP/1.1 200 OK"
    char answer[64];
    while (status.size() < 12 && platform::Clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          platform::Clock::now());
        if (!platform::wait_any_readable({api.get()}, left).front())
            continue;
        auto got = platform::receive_available(api.get(), answer, sizeof answer);
        if (!got)
            continue; // woken for nothing
        if (*got == 0)
            break; // the end, or an error: no answer
        status.append(answer, *got);
    }
    return status.rfind("HTTP/1.1 200", 0) == 0 || status.rfind("HTTP/1.0 200", 0) == 0;
}

} // namespace machine
