#include "providers/apple/dhcp_leases.h"

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>

namespace machine {

namespace {

// "05:A0" -> "5:a0": bytes in hex without leading zeros, as bootpd writes them.
std::string bootpd_mac(const std::string &mac) {
    std::string out;
    std::istringstream bytes(mac);
    std::string byte;
    while (std::getline(bytes, byte, ':')) {
        auto first = byte.find_first_not_of('0');
        if (!out.empty())
            out += ':';
        out += first == std::string::npos ? "0" : byte.substr(first);
    }
    for (auto &c : out)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trimmed(const std::string &text) {
    auto start = text.find_first_not_of(" \t\r");
    auto end = text.find_last_not_of(" \t\r");
    return start == std::string::npos ? std::string() : text.substr(start, end - start + 1);
}

} // namespace

std::string leased_address(const std::string &leases, const std::string &mac) {
    auto wanted = bootpd_mac(mac);
    std::string best;
    std::uint64_t best_lease = 0;
    std::map<std::string, std::string> block;
    std::istringstream lines(leases);
    std::string line;
    while (std::getline(lines, line)) {
        line = trimmed(line);
        if (line == "{") {
            block.clear();
        } else if (line == "}") {
            auto hw = block["hw_address"]; // "1,5a:94:..."; 1: the hardware type, Ethernet
            hw = hw.rfind("1,", 0) == 0 ? bootpd_mac(hw.substr(2)) : std::string();
            std::uint64_t lease = std::strtoull(block["lease"].c_str(), nullptr, 16);
            if (hw == wanted && !block["ip_address"].empty() &&
                (best.empty() || lease > best_lease)) {
                best = block["ip_address"];
                best_lease = lease;
            }
        } else if (auto equals = line.find('='); equals != std::string::npos) {
            block[line.substr(0, equals)] = line.substr(equals + 1);
        }
    }
    return best;
}

} // namespace machine
