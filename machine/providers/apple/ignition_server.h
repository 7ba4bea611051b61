#pragma once
// The first boot's Ignition config, served over HTTP on a unix socket as podman's applehv does:
// vfkit and krunkit hand each guest connection to vsock port 1024 to this socket, where
// Ignition (or our agent) asks `GET /`. Serves on a thread of its own until destroyed.
#include "platform/unix_socket.h"

#include <filesystem>
#include <string>
#include <thread>

namespace machine {

// The answer to one request head (pure): the config for a GET of any path, 405 otherwise.
std::string ignition_http_answer(const std::string &request_head, const std::string &config);

class IgnitionServer {
public:
    IgnitionServer(const std::filesystem::path &socket, std::string config);
    ~IgnitionServer();
    IgnitionServer(const IgnitionServer &) = delete;
    IgnitionServer &operator=(const IgnitionServer &) = delete;

private:
    void serve();
    void answer(platform::Fd connection) const;

    platform::UnixListener listener_;
    std::string config_;
    platform::WakePipe stop_;
    std::thread thread_;
};

} // namespace machine
