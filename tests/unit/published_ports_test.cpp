// Which ports the host forwards, from the engine's container list, and the monitor commands.
#include "machine/published_ports.h"
#include "providers/qemu/hostfwd.h"

#include <catch2/catch.hpp>

using machine::PublishedPort;

TEST_CASE("published ports come from every running container", "[ports]") {
    auto containers = nlohmann::json::parse(R"([
        {"Id": "a", "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 18080, "Type": "tcp"},
                              {"PrivatePort": 443, "Type": "tcp"}]},
        {"Id": "b", "Ports": [{"PrivatePort": 53, "PublicPort": 5353, "Type": "udp"},
                              {"PrivatePort": 1, "PublicPort": 70000, "Type": "tcp"},
                              {"PrivatePort": 2, "PublicPort": 9, "Type": "sctp"},
                              {"PrivatePort": 3, "PublicPort": "9", "Type": "tcp"}]},
        {"Id": "c", "Ports": null},
        {"Id": "d"}])");
    CHECK(machine::published_ports(containers) ==
          std::set<PublishedPort>{{"tcp", 18080}, {"udp", 5353}});
    CHECK(machine::published_ports(nlohmann::json::object()).empty());
}

TEST_CASE("forwards are on the host's loopback only", "[ports]") {
    CHECK(machine::hostfwd_add({"tcp", 18080}) == "hostfwd_add net0 tcp:127.0.0.1:18080-:18080");
    CHECK(machine::hostfwd_remove({"udp", 53}) == "hostfwd_remove net0 udp:127.0.0.1:53");
    CHECK(machine::container_events_path().find("/events?filters=") != std::string::npos);
}

TEST_CASE("the record of forwards in place round-trips and skips what is not an entry", "[ports]") {
    std::set<PublishedPort> ports{{"tcp", 18080}, {"udp", 53}};
    auto text = machine::format_port_record(ports);
    CHECK(text == "tcp 18080\nudp 53\n");
    CHECK(machine::parse_port_record(text) == ports);
    CHECK(machine::parse_port_record("tcp 0\nsctp 9\ntcp 70000\ntcp 80 extra\ntcp x\n\nudp 5353")
              .size() == 1);
    CHECK(machine::parse_port_record("").empty());
}
