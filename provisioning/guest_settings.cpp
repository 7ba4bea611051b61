#include "provisioning/guest_settings.h"

#include "machine/guest_user.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>

namespace machine::provisioning {

std::string host_timezone() {
    std::error_code ec;
    auto target = std::filesystem::read_symlink("/etc/localtime", ec).string();
    auto at = target.find("zoneinfo/");
    if (!ec && at != std::string::npos)
        return target.substr(at + 9);
    std::ifstream file("/etc/timezone");
    std::string zone;
    if (file >> zone && !zone.empty())
        return zone;
    return "UTC";
}

std::string mount_unit_name(const std::string &path) {
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/')
        trimmed.pop_back();
    if (trimmed == "/")
        return "-.mount";
    std::string name;
    for (std::size_t i = 1; i < trimmed.size(); ++i) {
        auto c = static_cast<unsigned char>(trimmed[i]);
        if (c == '/')
            name += '-';
        else if (std::isalnum(c) || c == '_' || (c == '.' && i > 1) || c == ':')
            name += char(c);
        else
            name += fmt::format("\\x{:02x}", c);
    }
    return name + ".mount";
}

std::string docker_socket_tmpfiles(const GuestSettings &s) {
    return "L+ /run/docker.sock - - - - " + guest_api_socket(s.rootful, s.uid) + "\n";
}

GuestSettings guest_settings(const MachineConfig &config, const std::string &authorized_key,
                             const std::string &host_private_key,
                             const std::string &host_public_key) {
    GuestSettings s;
    s.hostname = config.name;
    s.username = config.ssh.username;
    s.authorized_key = authorized_key;
    s.host_private_key = host_private_key;
    s.host_public_key = host_public_key;
    s.timezone = config.timezone == "local" ? host_timezone() : config.timezone;
    s.rootful = config.rootful;
    s.uid = config.ssh.uid;
    s.mounts = config.mounts;
    s.proxy = config.proxy;
    s.ca_certs = config.ca_certs;
    return s;
}

} // namespace machine::provisioning
