#include "machine/port_watcher.h"

#include "machine/errors.h"
#include "machine/http_response.h"
#include "platform/atomic_file.h"
#include "platform/socket_io.h"
#include "platform/unix_socket.h"

#include <chrono>
#include <fmt/format.h>
#include <memory>

namespace machine {

namespace {

using namespace std::chrono_literals;

// A connection to the forwarded API socket with `GET path` sent on it: the watcher is one more
// client of the socket it serves, whichever transport carries it.
platform::Fd request(const std::filesystem::path &api_socket, const std::string &path) {
    auto fd = platform::connect_unix(api_socket);
    platform::write_all(fd.get(), fmt::format("GET {} HTTP/1.1\r\nHost: podman\r\n"
                                              "Connection: close\r\n\r\n",
                                              path));
    return fd;
}

// Reads what arrives within `timeout` into `response`; false at EOF.
bool read_into(int fd, HttpResponse &response, std::chrono::milliseconds timeout) {
    if (!platform::wait_readable(fd, platform::Clock::now() + timeout))
        return true;
    char buffer[16384];
    auto n = platform::receive_available(fd, buffer, sizeof buffer);
    if (!n)
        return true; // woken with nothing to read after all
    response.feed(std::string_view(buffer, *n));
    return *n != 0;
}

nlohmann::json get_json(const std::filesystem::path &api_socket, const std::string &path) {
    auto fd = request(api_socket, path);
    HttpResponse response;
    std::string body;
    auto deadline = platform::Clock::now() + 30s;
    while (!response.complete() && read_into(fd.get(), response, 1s)) {
        body += response.take_body();
        if (platform::Clock::now() > deadline)
            throw Timeout("the engine did not answer " + path + " within 30 s");
    }
    body += response.take_body();
    if (response.status() != 200)
        throw ProtocolError(fmt::format("GET {} answered {}", path, response.status()));
    return nlohmann::json::parse(body, nullptr, false);
}

} // namespace

PortWatcher::PortWatcher(PortWatcherOptions options)
    : options_(std::move(options)), thread_([this] { run(); }) {}

void PortWatcher::remove_leftovers() {
    // The forwards a killed forwarder recorded that outlive it (the provider's own, e.g. QEMU's
    // rules) go first; a socket of the forwarder's own died with it. Every port a container
    // still publishes is then forwarded afresh.
    auto stale = recorded();
    if (!stale.empty() && options_.leftovers) {
        auto publisher = options_.leftovers();
        for (const auto &port : stale)
            publisher->remove(port);
    }
    platform::write_file_atomically(options_.record, format_port_record({}));
}

std::set<PublishedPort> PortWatcher::recorded() const {
    try {
        return parse_port_record(platform::read_file(options_.record));
    } catch (const std::exception &) {
        return {}; // no record: no forwarder ran since QEMU started
    }
}

PortWatcher::~PortWatcher() {
    stop_ = true;
    stopping_.wake();
    thread_.join();
}

void PortWatcher::run() {
    while (!stop_) {
        try {
            if (!cleaned_) {
                remove_leftovers();
                cleaned_ = true;
            }
            reconcile(); // whatever started while nobody watched
            follow_events();
        } catch (const std::exception &error) {
            options_.log(std::string("ports: ") + error.what() + "; retrying");
        }
        for (int i = 0; i < 20 && !stop_; ++i) // the guest may be rebooting: a pause, then again
            std::this_thread::sleep_for(100ms);
    }
}

void PortWatcher::follow_events() {
    auto fd = request(options_.api_socket, container_events_path());
    HttpResponse response;
    std::string lines;
    while (!stop_) {
        // No timeout to look at stop_ by: a paused VM's forwarder should not wake (idle_pause.h).
        if (!platform::wait_any_readable({fd.get(), stopping_.read_fd()}, 60s).front())
            continue;
        if (!read_into(fd.get(), response, 0ms))
            throw ProtocolError("the engine's event stream ended");
        if (response.headers_done() && response.status() != 200)
            throw ProtocolError(fmt::format("the event stream answered {}", response.status()));
        lines += response.take_body();
        bool changed = false;
        for (auto newline = lines.find('\n'); newline != std::string::npos;
             newline = lines.find('\n')) {
            changed = changed || lines.find_first_not_of(" \r\t") < newline;
            lines.erase(0, newline + 1);
        }
        if (changed)
            reconcile();
    }
}

void PortWatcher::reconcile() {
    auto wanted = published_ports(get_json(options_.api_socket, "/v1.41/containers/json"));
    if (wanted == forwarded_)
        return;
    auto publisher = options_.publisher();
    for (const auto &port : forwarded_)
        if (!wanted.count(port)) {
            publisher->remove(port);
            options_.log(
                fmt::format("ports: no longer forwarding {} {}", port.protocol, port.port));
        }
    std::set<PublishedPort> now;
    for (const auto &port : wanted) {
        if (forwarded_.count(port)) {
            now.insert(port);
            continue;
        }
        auto error = publisher->add(port);
        if (error.empty()) {
            now.insert(port);
            options_.log(fmt::format("ports: forwarding 127.0.0.1:{} ({}) to the guest", port.port,
                                     port.protocol));
        } else if (auto holder = options_.held_by ? options_.held_by(port) : std::string();
                   !holder.empty()) {
            options_.log(fmt::format("ports: not forwarding 127.0.0.1:{} ({}): machine \"{}\" "
                                     "forwards it already",
                                     port.port, port.protocol, holder));
        } else {
            options_.log(fmt::format("ports: cannot forward 127.0.0.1:{} ({}): {}", port.port,
                                     port.protocol, error));
        }
    }
    forwarded_ = std::move(now);
    platform::write_file_atomically(options_.record, format_port_record(forwarded_));
}

} // namespace machine
