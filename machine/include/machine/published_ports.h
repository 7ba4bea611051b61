#pragma once
// Published container ports, made reachable on the host: the engine's list of running containers
// gives the ports they publish in the guest; the provider's PortPublisher forwards each from the
// same port on the host's loopback (never another address). Pure.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace machine {

struct PublishedPort {
    std::string protocol; // "tcp" or "udp"
    std::uint16_t port = 0;
    auto operator<=>(const PublishedPort &) const = default;
};

// From the body of GET /containers/json (Docker API): every PublicPort of every container.
std::set<PublishedPort> published_ports(const nlohmann::json &containers);

// The API path that streams the engine's container events.
std::string container_events_path();

// The forwards in place, one "tcp 18080" line each: the watcher records them in the runtime
// folder so that a forwarder started after a killed one removes the rules it left behind.
std::string format_port_record(const std::set<PublishedPort> &ports);
// Lines that are not a valid entry are skipped (the record is a hint, never trusted further).
std::set<PublishedPort> parse_port_record(const std::string &text);

} // namespace machine
