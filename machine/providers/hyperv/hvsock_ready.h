#pragma once
// Hyper-V's ready channel: the guest agent connects to the host's hvsock service for vsock port
// 1025 and writes "Ready" (what podman's Hyper-V guests do too), on a listener made before the
// VM starts.
#include "machine/provider.h"
#include "platform/hvsock.h"

#include <memory>

namespace machine {

class HvsockReady : public ReadySignal {
public:
    explicit HvsockReady(std::unique_ptr<platform::HvsockListener> listener)
        : listener_(std::move(listener)) {}

    Event wait(platform::Clock::time_point deadline) override;

private:
    std::unique_ptr<platform::HvsockListener> listener_;
};

} // namespace machine
