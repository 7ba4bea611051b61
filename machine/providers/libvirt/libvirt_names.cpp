#include "providers/libvirt/libvirt_names.h"

namespace machine {

std::string libvirt_uri(const char *env_uri, bool root) {
    if (env_uri && *env_uri)
        return env_uri;
    return root ? "qemu:///system" : "qemu:///session";
}

bool is_system_uri(const std::string &uri) {
    auto path = uri.substr(0, uri.find('?'));
    return path.size() >= 7 && path.compare(path.size() - 7, 7, "/system") == 0;
}

bool is_remote_uri(const std::string &uri) {
    auto authority = uri.find("://");
    if (authority == std::string::npos)
        return false;
    authority += 3;
    auto host = uri.substr(authority, uri.find_first_of("/?", authority) - authority);
    host = host.substr(host.find('@') + 1); // past USER@ (npos + 1: from the start)
    return !host.empty();
}

std::string remote_console_log(const std::string &machine) {
    return "/var/log/libvirt/qemu/" + libvirt_domain_name(machine) + ".console.log";
}

std::string libvirt_pool_path(const std::string &uri, const std::filesystem::path &data_home) {
    if (is_system_uri(uri))
        return "/var/lib/libvirt/images/machine";
    return (data_home / "libvirt" / "images" / "machine").string();
}

std::string libvirt_domain_name(const std::string &machine) {
    return "machine-" + machine;
}

std::string overlay_volume_name(const std::string &machine) {
    return "machine-" + machine + ".qcow2";
}

std::string config_volume_name(const std::string &machine) {
    return "machine-" + machine + ".ign";
}

std::string base_volume_name(const std::string &cached_file) {
    return "machine-" + std::filesystem::path(cached_file).filename().string();
}

} // namespace machine
