// vsock ports as Hyper-V service GUIDs, and the two this tool registers.
#include "providers/hyperv/hvsock_service.h"

#include <catch2/catch.hpp>

using namespace machine;

TEST_CASE("hvsock service ids: the port in the first field, upper case hex", "[hyperv]") {
    CHECK(hvsock_service_id(1025) == "00000401-FACB-11E6-BD58-64006A7986D3");
    CHECK(hvsock_service_id(1026) == "00000402-FACB-11E6-BD58-64006A7986D3");
    CHECK(hvsock_service_id(2761) == "00000AC9-FACB-11E6-BD58-64006A7986D3");
    CHECK(hvsock_service_id(0xffffffff) == "FFFFFFFF-FACB-11E6-BD58-64006A7986D3");
}

TEST_CASE("hvsock services: Ready on 1025 and machine-mux on 1026, as the guest agent has them",
          "[hyperv]") {
    CHECK(machine_hvsock_services() ==
          std::vector<HvsockService>{
              {"00000401-FACB-11E6-BD58-64006A7986D3", "machine: guest Ready"},
              {"00000402-FACB-11E6-BD58-64006A7986D3", "machine: machine-mux"}});
}
