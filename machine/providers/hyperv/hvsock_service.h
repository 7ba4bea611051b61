#pragma once
// The hvsock services of a Hyper-V machine. A Linux guest's vsock port P is, on the host, the
// service GUID `%08X-FACB-11E6-BD58-64006A7986D3` with P in its first field, and Hyper-V lets a
// guest use a service only once it is named in the registry under GuestCommunicationServices
// (HKLM, so registering needs an administrator). The ports are the guest agent's own (the guest
// contract, docs/design.md): the same for every machine, so the keys are shared by all of them.
#include <cstdint>
#include <string>
#include <vector>

namespace machine {

inline constexpr std::uint32_t hvsock_ready_port = 1025; // the guest connects and says Ready
inline constexpr std::uint32_t hvsock_mux_port = 1026;   // the guest agent serves machine-mux

// The registry key under which Hyper-V looks for the services guests may use.
inline constexpr const char *guest_communication_services_key =
    "HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Virtualization\\"
    "GuestCommunicationServices";

struct HvsockService {
    std::string id;           // the service GUID, upper case as in the registry
    std::string element_name; // its friendly name, the key's `ElementName` value

    bool operator==(const HvsockService &) const = default;
};

// The service GUID of vsock port `port`: 1025 -> "00000401-FACB-11E6-BD58-64006A7986D3".
std::string hvsock_service_id(std::uint32_t port);

// The services every machine of this tool uses: Ready, then machine-mux.
std::vector<HvsockService> machine_hvsock_services();

} // namespace machine
