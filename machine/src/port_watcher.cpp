#include "machine/port_watcher.h"

#include "machine/errors.h"
#include "machine/http_response.h"
#include "machine/qmp_client.h"

#include <chrono>
#include <fmt/format.h>
#include <libssh/libssh.h>
#include <memory>

namespace machine {

namespace {

using namespace std::chrono_literals;

struct ChannelDeleter {
    void operator()(ssh_channel channel) const {
        ssh_channel_close(channel);
        ssh_channel_free(channel);
    }
};
using Channel = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

// A channel to the guest's API socket with `GET path` sent on it.
Channel request(SshSession &session, const std::string &socket, const std::string &path) {
    Channel channel(ssh_channel_new(session.raw()));
    if (!channel ||
        ssh_channel_open_forward_unix(channel.get(), socket.c_str(), "127.0.0.1", 0) != SSH_OK)
        throw SshError(
            fmt::format("cannot reach {} in the guest: {}", socket, ssh_get_error(session.raw())));
    auto text = fmt::format("GET {} HTTP/1.1\r\nHost: podman\r\nConnection: close\r\n\r\n", path);
    if (ssh_channel_write(channel.get(), text.data(), uint32_t(text.size())) == SSH_ERROR)
        throw SshError("cannot write to the guest's API socket");
    return channel;
}

// Reads what the channel has within `timeout` into `response`; false at EOF.
bool read_into(ssh_channel channel, HttpResponse &response, int timeout_ms) {
    char buffer[16384];
    int n = ssh_channel_read_timeout(channel, buffer, sizeof buffer, 0, timeout_ms);
    if (n == SSH_ERROR)
        throw SshError("the guest's API connection failed");
    if (n > 0)
        response.feed(std::string_view(buffer, std::size_t(n)));
    return n > 0 || !ssh_channel_is_eof(channel);
}

nlohmann::json get_json(SshSession &session, const std::string &socket, const std::string &path) {
    auto channel = request(session, socket, path);
    HttpResponse response;
    std::string body;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!response.complete() && read_into(channel.get(), response, 1000)) {
        body += response.take_body();
        if (std::chrono::steady_clock::now() > deadline)
            throw Timeout("the engine did not answer " + path + " within 30 s");
    }
    body += response.take_body();
    if (response.status() != 200)
        throw ProtocolError(fmt::format("GET {} answered {}", path, response.status()));
    return nlohmann::json::parse(body);
}

} // namespace

PortWatcher::PortWatcher(PortWatcherOptions options)
    : options_(std::move(options)), thread_([this] { run(); }) {}

PortWatcher::~PortWatcher() {
    stop_ = true;
    thread_.join();
}

void PortWatcher::run() {
    while (!stop_) {
        try {
            SshSession session(options_.target, 10s);
            reconcile(session); // whatever started while nobody watched
            follow_events(session);
        } catch (const std::exception &error) {
            options_.log(std::string("ports: ") + error.what() + "; retrying");
        }
        for (int i = 0; i < 20 && !stop_; ++i) // the guest may be rebooting: a pause, then again
            std::this_thread::sleep_for(100ms);
    }
}

void PortWatcher::follow_events(SshSession &session) {
    auto channel = request(session, options_.guest_socket, container_events_path());
    HttpResponse response;
    std::string lines;
    while (!stop_) {
        if (!read_into(channel.get(), response, 500))
            throw SshError("the engine's event stream ended");
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
            reconcile(session);
    }
}

void PortWatcher::reconcile(SshSession &session) {
    auto wanted =
        published_ports(get_json(session, options_.guest_socket, "/v1.41/containers/json"));
    if (wanted == forwarded_)
        return;
    // One short monitor connection: QEMU serves one at a time, and `stop` needs it too.
    QmpClient qmp(options_.qmp_socket, 5s);
    auto monitor = [&](const std::string &line) {
        return qmp.execute("human-monitor-command", {{"command-line", line}}).get<std::string>();
    };
    for (const auto &port : forwarded_)
        if (!wanted.count(port)) {
            monitor(hostfwd_remove(port));
            options_.log(
                fmt::format("ports: no longer forwarding {} {}", port.protocol, port.port));
        }
    std::set<PublishedPort> now;
    for (const auto &port : wanted) {
        if (forwarded_.count(port)) {
            now.insert(port);
            continue;
        }
        monitor(hostfwd_remove(port)); // a rule left by a forwarder that was killed
        auto error = monitor(hostfwd_add(port));
        if (error.empty()) {
            now.insert(port);
            options_.log(fmt::format("ports: forwarding 127.0.0.1:{} ({}) to the guest", port.port,
                                     port.protocol));
        } else {
            options_.log(fmt::format("ports: cannot forward 127.0.0.1:{} ({}): is it taken on the "
                                     "host? QEMU says: {}",
                                     port.port, port.protocol, error.substr(0, error.find('\n'))));
        }
    }
    forwarded_ = std::move(now);
}

} // namespace machine
