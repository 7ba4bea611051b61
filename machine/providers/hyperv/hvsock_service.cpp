#include "providers/hyperv/hvsock_service.h"

#include <fmt/format.h>

namespace machine {

std::string hvsock_service_id(std::uint32_t port) {
    return fmt::format("{:08X}-FACB-11E6-BD58-64006A7986D3", port);
}

std::vector<HvsockService> machine_hvsock_services() {
    return {{hvsock_service_id(hvsock_ready_port), "machine: guest Ready"},
            {hvsock_service_id(hvsock_mux_port), "machine: machine-mux"}};
}

} // namespace machine
