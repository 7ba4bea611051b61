#pragma once
// Every file a machine owns, named in one place: the lifecycle's here, a provider's inside the two
// folders (e.g. providers/qemu/qemu_files.h). `rm` removes only what this names.
#include <filesystem>
#include <string>

namespace machine {

struct StoreDirs {
    std::filesystem::path config;  // $XDG_CONFIG_HOME/machine
    std::filesystem::path data;    // $XDG_DATA_HOME/machine
    std::filesystem::path runtime; // $XDG_RUNTIME_DIR/machine
};

class Layout {
public:
    Layout(const StoreDirs &dirs, const std::string &name);

    const std::string &name() const { return name_; }

    // Written last by init, removed first by rm: a machine exists when its config does.
    std::filesystem::path config_file() const;
    // Never removed, so a waiter on a removed machine's lock cannot race a new one.
    std::filesystem::path lock_file() const;

    std::filesystem::path data_dir() const;    // kept while the machine exists
    std::filesystem::path identity() const;    // SSH client private key
    std::filesystem::path host_key() const;    // the guest's SSH host private key
    std::filesystem::path console_log() const; // the guest's console, where the provider has one
    std::filesystem::path forwarder_log() const;

    std::filesystem::path runtime_dir() const; // emptied at every start and stop
    std::filesystem::path api_socket() const;
    std::filesystem::path ready_marker() const; // exists once the guest said Ready this boot
    std::filesystem::path forwarder_pid_file() const;
    std::filesystem::path port_record() const; // the host port forwards in place this boot
    // The forwarder's own way in to the API, for its port watcher: a quiet one (no wake-ups).
    std::filesystem::path port_watcher_socket() const;

private:
    StoreDirs dirs_;
    std::string name_;
};

} // namespace machine
