#pragma once
// QEMU's ready channel: the guest writes "Ready" to the virtio-serial port
// org.fedoraproject.port.0. On POSIX its host end is a client QEMU connects to a unix socket we
// listen on before QEMU starts (it refuses to start when nobody listens); on Windows it is a
// named pipe QEMU serves, which we connect to once QEMU is up (platform/guest_pipe.h).
#include "machine/provider.h"

#include <filesystem>
#include <memory>
#include <string>

namespace machine {

class ReadyPort : public ReadySignal {
public:
    // Listens on `socket` for QEMU to connect.
    explicit ReadyPort(const std::filesystem::path &socket)
        : listener_(std::make_unique<platform::UnixListener>(socket)) {}
    // Reads a connection made already.
    explicit ReadyPort(platform::Fd connection) : connection_(std::move(connection)) {}

    Event wait(platform::Clock::time_point deadline) override;

private:
    std::unique_ptr<platform::UnixListener> listener_; // none when given a connection
    platform::Fd connection_;
    std::string buffer_;
};

} // namespace machine
