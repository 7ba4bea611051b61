#pragma once
// QEMU's ready channel: the guest writes "Ready" to the virtio-serial port
// org.fedoraproject.port.0, whose host end QEMU connects, as a client, to a unix socket we listen
// on before QEMU starts (it refuses to start when nobody listens).
#include "machine/provider.h"

#include <filesystem>
#include <string>

namespace machine {

class ReadyPort : public ReadySignal {
public:
    explicit ReadyPort(const std::filesystem::path &socket) : listener_(socket) {}

    Event wait(platform::Clock::time_point deadline) override;

private:
    platform::UnixListener listener_;
    platform::Fd connection_;
    std::string buffer_;
};

} // namespace machine
