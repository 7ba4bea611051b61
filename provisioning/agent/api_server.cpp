#include "provisioning/agent/api_server.h"

#include "machine/mux/mux_session.h"
#include "provisioning/agent/agent.h"
#include "provisioning/agent/config_source.h"
#include "provisioning/agent/files.h"
#include "provisioning/agent/guest_clock.h"
#include "provisioning/agent/host_changes.h"
#include "provisioning/agent/port_dial.h"
#include "provisioning/agent/readiness.h"
#include "provisioning/agent/vsock.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace machine::agent {

namespace {

using namespace std::chrono_literals;

// The engine's socket, as provisioning recorded it (the marker appears once Ready went out).
std::filesystem::path podman_socket(const Root &root) {
    auto marker = read_file(root.host(marker_path));
    auto socket = marker ? parse_marker(*marker).podman_socket : std::string();
    return root.host(socket.empty() ? std::string(rootful_podman_socket) : socket);
}

// What the guest end opens for the host: the podman API socket, or a published port.
mux::EndpointOptions guest_endpoint(const Root &root, const Log &log) {
    mux::EndpointOptions endpoint;
    endpoint.connect = [&root](const std::string &target, std::string &error) {
        if (is_port_target(target)) // a published port, on the guest's loopback
            return dial_port(target, error);
        if (target != "podman") {
            error = "unknown target " + target;
            return -1;
        }
        auto socket = podman_socket(root);
        auto fd = connect_unix(socket);
        if (!fd)
            error = "cannot connect to " + socket.string() + ": " + std::strerror(errno);
        return fd.release();
    };
    endpoint.log = [&log](const std::string &line) { log.info(line); };
    if (root.is_system_root()) // a dry run under --root leaves the clock alone
        endpoint.set_clock = [&log](std::int64_t host) { follow_host_clock(host, log); };
    endpoint.file_changed = [changes = std::make_shared<HostChanges>(root),
                             &log](const std::string &path) { changes->show(path, log); };
    return endpoint;
}

// QEMU and libvirt: the virtio-serial port. While no host end is connected it reads EOF, so it is
// reopened every half second until the forwarder connects.
[[noreturn]] void serve_on_port(const Root &root, const std::filesystem::path &port,
                                const Log &log) {
    bool connected_before = false;
    for (;;) {
        int link = ::open(port.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (link < 0) {
            std::this_thread::sleep_for(1s); // udev has not made the port's link yet
            continue;
        }
        mux::Session session(link, guest_endpoint(root, log));
        session.run([&] {
            if (session.peer_ready() && !connected_before) {
                log.info("the host's API forwarder connected on " + port.string());
                connected_before = true;
            }
            return true;
        });
        connected_before = false;
        std::this_thread::sleep_for(500ms); // the host end is gone: wait for the next one
    }
}

// vfkit, krunkit, Hyper-V: a vsock port the host connects to, one forwarder at a time (a new
// one replaces the old: its HELLO drops the old streams).
[[noreturn]] void serve_on_vsock(const Root &root, std::uint32_t port, const Log &log) {
    auto listener = vsock_listen(port);
    log.info("serving the host's API forwarder on vsock port " + std::to_string(port));
    for (;;) {
        int link = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (link < 0) {
            std::this_thread::sleep_for(100ms);
            continue;
        }
        mux::Session session(link, guest_endpoint(root, log));
        session.run([] { return true; });
    }
}

} // namespace

void serve_api(const Options &options, const Log &log) {
    Root root(options.root);
    if (options.mux_port)
        serve_on_port(root, *options.mux_port, log);
    if (uses_virtio_serial(root, root.host(mux_port_path)))
        serve_on_port(root, root.host(mux_port_path), log);
    serve_on_vsock(root, vsock_mux_port, log);
}

void serve_api_on_stdio(const Options &options, const Log &log) {
    Root root(options.root);
    ::signal(SIGPIPE, SIG_IGN); // a host gone while we write: an error, then the end
    mux::Session session(::dup(STDIN_FILENO), ::dup(STDOUT_FILENO), guest_endpoint(root, log));
    session.run([] { return true; });
}

} // namespace machine::agent
