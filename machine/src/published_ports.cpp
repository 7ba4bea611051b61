#include "machine/published_ports.h"

#include <fmt/format.h>
#include <sstream>

namespace machine {

std::set<PublishedPort> published_ports(const nlohmann::json &containers) {
    std::set<PublishedPort> ports;
    if (!containers.is_array())
        return ports;
    for (const auto &container : containers) {
        if (!container.is_object() || !container.contains("Ports") ||
            !container["Ports"].is_array())
            continue;
        for (const auto &port : container["Ports"]) {
            if (!port.is_object() || !port.contains("PublicPort") ||
                !port["PublicPort"].is_number_unsigned())
                continue;
            auto number = port["PublicPort"].get<std::uint64_t>();
            auto type = port.value("Type", std::string("tcp"));
            if (number == 0 || number > 65535 || (type != "tcp" && type != "udp"))
                continue;
            ports.insert({type, static_cast<std::uint16_t>(number)});
        }
    }
    return ports;
}

std::string container_events_path() {
    // filters={"type":["container"]}, URL-encoded. Every container event, not just start and die:
    // podman names some differently ("died"), and when "die" arrives the container may still be
    // listed; the "cleanup" or "remove" after it catches that.
    return "/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D";
}

std::string format_port_record(const std::set<PublishedPort> &ports) {
    std::string text;
    for (const auto &port : ports)
        text += fmt::format("{} {}\n", port.protocol, port.port);
    return text;
}

std::set<PublishedPort> parse_port_record(const std::string &text) {
    std::set<PublishedPort> ports;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string protocol;
        unsigned long number = 0;
        std::string rest;
        if (fields >> protocol >> number && !(fields >> rest) &&
            (protocol == "tcp" || protocol == "udp") && number > 0 && number <= 65535)
            ports.insert({protocol, static_cast<std::uint16_t>(number)});
    }
    return ports;
}

} // namespace machine
