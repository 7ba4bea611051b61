#include "providers/apple/ignition_server.h"

#include "machine/errors.h"
#include "platform/file_io.h"
#include "platform/socket_io.h"

#include <fmt/format.h>

namespace machine {

namespace {

using namespace std::chrono_literals;

constexpr std::size_t head_limit = 16 * 1024;

} // namespace

std::string ignition_http_answer(const std::string &request_head, const std::string &config) {
    if (request_head.rfind("GET ", 0) != 0)
        return "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\n"
               "Connection: close\r\n\r\n";
    return fmt::format("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                       "{}\r\nConnection: close\r\n\r\n{}",
                       config.size(), config);
}

IgnitionServer::IgnitionServer(const std::filesystem::path &socket, std::string config)
    : listener_(socket), config_(std::move(config)), thread_([this] { serve(); }) {}

IgnitionServer::~IgnitionServer() {
    stop_.wake();
    thread_.join();
}

void IgnitionServer::serve() {
    for (;;) {
        auto ready = platform::wait_any_readable({listener_.fd(), stop_.read_fd()}, 1000ms);
        if (ready[1])
            return;
        if (!ready[0])
            continue;
        try {
            if (auto connection = listener_.accept(platform::Clock::now()))
                answer(std::move(connection));
        } catch (const Error &) {
            // One guest connection that failed; the guest asks again.
        }
    }
}

void IgnitionServer::answer(platform::Fd connection) const {
    // The guest sends its head at once: a few seconds are plenty.
    auto deadline = platform::Clock::now() + 5s;
    std::string head;
    char buffer[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < head_limit) {
        if (!platform::wait_readable(connection.get(), deadline))
            return;
        auto n = platform::read_some(connection.get(), buffer, sizeof buffer);
        if (n == 0)
            return;
        head.append(buffer, n);
    }
    platform::write_all(connection.get(), ignition_http_answer(head, config_));
}

} // namespace machine
