#pragma once
// Hyper-V sockets (AF_HYPERV): how the host reaches a Hyper-V guest with no network. Inside a
// Linux guest they are AF_VSOCK (hv_sock): the guest agent connects to the host's vsock port 1025
// to say Ready and serves machine-mux on its port 1026; on the host each port is a service GUID
// (providers/hyperv/hvsock_service.h). Windows only: elsewhere every call throws HostNotReady.
// An interface, so that tests stand in for Hyper-V.
#include "platform/unix_socket.h"

#include <memory>
#include <string>

namespace machine::platform {

// A listening hvsock that takes one guest's connection and reads lines from it.
class HvsockListener {
public:
    enum class Result { line, closed, timeout };
    virtual ~HvsockListener() = default;
    // Waits until `deadline` for the guest to connect (the first time) and send a whole line,
    // which goes to `line` without its newline. `closed`: the guest closed its end first.
    virtual Result read_line(Clock::time_point deadline, std::string &line) = 0;
};

class Hvsock {
public:
    virtual ~Hvsock() = default;
    // Listens for the VM `vm_id` connecting to the service `service_id` (GUIDs as text), so that
    // two machines starting at once each hear their own guest. Throws SystemError.
    virtual std::unique_ptr<HvsockListener> listen(const std::string &vm_id,
                                                   const std::string &service_id) = 0;
    // A stream to the service `service_id` inside the VM `vm_id`; throws SystemError when nobody
    // listens there (a guest without our agent, or not booted yet).
    virtual Fd connect(const std::string &vm_id, const std::string &service_id) = 0;
};

// This host's hvsock: Winsock's on Windows; elsewhere one whose every call throws HostNotReady.
Hvsock &host_hvsock();

} // namespace machine::platform
