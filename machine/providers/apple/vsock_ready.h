#pragma once
// The Apple providers' ready channel: vfkit and krunkit hand each guest connection to vsock port
// 1025 to a unix socket we listen on from before the VM starts, and the guest writes "Ready" on
// one (podman's images: `echo Ready | socat - VSOCK-CONNECT:2:1025`; ours: the agent). At a first
// boot it also keeps the Ignition server running until it is destroyed, i.e. for as long as the
// lifecycle waits.
#include "machine/provider.h"
#include "providers/apple/ignition_server.h"

#include <filesystem>
#include <memory>
#include <string>

namespace machine {

class VsockReady : public ReadySignal {
public:
    // `ignition`: the first boot's server, or null.
    VsockReady(const std::filesystem::path &socket, std::unique_ptr<IgnitionServer> ignition)
        : listener_(socket), ignition_(std::move(ignition)) {}

    // Never `closed`: a guest connection that ends without Ready is followed by another.
    Event wait(platform::Clock::time_point deadline) override;

private:
    platform::UnixListener listener_;
    std::unique_ptr<IgnitionServer> ignition_;
    platform::Fd connection_;
    std::string buffer_;
};

} // namespace machine
