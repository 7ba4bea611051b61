#include "machine/layout.h"

namespace machine {

Layout::Layout(const StoreDirs &dirs, const std::string &name) : dirs_(dirs), name_(name) {}

std::filesystem::path Layout::config_file() const {
    return dirs_.config / "machines" / (name_ + ".yaml");
}
std::filesystem::path Layout::lock_file() const {
    return dirs_.config / "locks" / (name_ + ".lock");
}

std::filesystem::path Layout::data_dir() const {
    return dirs_.data / "machines" / name_;
}
std::filesystem::path Layout::identity() const {
    return data_dir() / "id_ed25519";
}
std::filesystem::path Layout::host_key() const {
    return data_dir() / "ssh_host_ed25519_key";
}
std::filesystem::path Layout::forwarder_log() const {
    return data_dir() / "forwarder.log";
}
std::filesystem::path Layout::console_log() const {
    return data_dir() / "console.log";
}

std::filesystem::path Layout::runtime_dir() const {
    return dirs_.runtime / name_;
}
std::filesystem::path Layout::api_socket() const {
    return runtime_dir() / "podman.sock";
}
std::filesystem::path Layout::ready_marker() const {
    return runtime_dir() / "ready";
}
std::filesystem::path Layout::forwarder_pid_file() const {
    return runtime_dir() / "forwarder.pid";
}
std::filesystem::path Layout::port_record() const {
    return runtime_dir() / "ports";
}
std::filesystem::path Layout::port_watcher_socket() const {
    return runtime_dir() / "watch.sock";
}

} // namespace machine
