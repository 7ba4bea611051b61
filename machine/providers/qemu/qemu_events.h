#pragma once
// A QEMU machine's events as the forwarder watches them: QEMU's second monitor (QemuFiles'
// events_socket), where it reports STOP and RESUME as they happen, and takes the idle pause's
// `stop` and `cont`.
#include "machine/provider.h"
#include "providers/qemu/qmp_client.h"

namespace machine {

class QemuEvents final : public VmEvents {
public:
    // Connects and negotiates; throws QmpError/SystemError when QEMU does not answer.
    explicit QemuEvents(const std::filesystem::path &socket);

    int fd() const override { return client_.fd(); }
    bool resumed() override;
    void pause() override { client_.execute("stop"); }
    void run_on() override { client_.execute("cont"); }

private:
    QmpClient client_;
};

} // namespace machine
