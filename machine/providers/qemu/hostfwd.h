#pragma once
// Published ports as QEMU user-network forwards (`hostfwd` on `net0`), set through the monitor:
// the way for guests without our agent.
#include "machine/port_publisher.h"
#include "providers/qemu/qmp_client.h"

#include <filesystem>
#include <string>

namespace machine {

// Human monitor command lines for a QEMU user network (the QEMU provider's `net0`), on the host's
// loopback only.
std::string hostfwd_add(const PublishedPort &port, const std::string &netdev = "net0");
std::string hostfwd_remove(const PublishedPort &port, const std::string &netdev = "net0");

class HostfwdPublisher : public PortPublisher {
public:
    // One short monitor connection for a round of changes: QEMU serves one at a time, and `stop`
    // needs it too.
    explicit HostfwdPublisher(const std::filesystem::path &qmp_socket);

    std::string add(const PublishedPort &port) override;
    void remove(const PublishedPort &port) override;

private:
    std::string monitor(const std::string &line);

    QmpClient qmp_;
};

} // namespace machine
