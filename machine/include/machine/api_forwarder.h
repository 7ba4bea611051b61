#pragma once
// Carries each connection to the host's API socket to the guest's podman socket, over one of two
// transports: machine-mux to our guest agent on a virtio-serial port (mux_forwarder.h), the fast
// default, or, for guests without our agent, one SSH `direct-streamlocal` channel per connection
// in one single-threaded poll() loop. Both: full duplex, half-close, a bounded buffer per stream
// (no stream can stall another or grow without limit), no CPU at idle, and reconnecting when the
// guest's end goes away and comes back.
#include "machine/provider.h"
#include "machine/ssh_session.h"
#include "platform/unix_socket.h"

#include <filesystem>
#include <functional>
#include <string>

namespace machine {

class MuxPorts;
class SharedFolderChanges;

struct ForwarderOptions {
    std::string machine;          // its name: on Windows it names the pipe served too
    std::filesystem::path listen; // host unix socket (made 0600)
    // One more, for the forwarder's own port watcher: its clients neither wake a VM paused at
    // idle nor keep it awake (mux::Listener::quiet). None when empty.
    std::filesystem::path quiet_listen;
    std::string guest_socket; // e.g. /run/podman/podman.sock
    SshTarget target;         // an empty host: the machine has no SSH (WSL), machine-mux alone
    // A stream to the guest agent's machine-mux (Provider::connect_agent); unset: SSH only.
    std::function<platform::Fd()> connect_agent;
    // The VM's pauses and resumes (Provider::watch_events), asked at each machine-mux connection;
    // unset, or nullptr, where the provider reports none.
    std::function<std::unique_ptr<VmEvents>()> watch_events;
    // Over machine-mux, with VM events that can pause: the VM is paused after this long without
    // a client stream and without a session holding it awake (idle_pause.h); 0: never.
    std::chrono::seconds idle_pause{0};
    std::function<bool()> held_awake = [] { return false; };
    // Published ports carried over machine-mux (their listeners); none when unset.
    MuxPorts *mux_ports = nullptr;
    // Files changed on the host in the shared folders, named to the guest over machine-mux; none
    // when unset.
    SharedFolderChanges *folder_changes = nullptr;
    // Called once when the forwarder settles for SSH (no agent answered): ports go another way.
    std::function<void()> on_ssh = [] {};
    std::function<bool()> machine_running; // the forwarder ends once this says false
    std::function<void(const std::string &)> log = [](const std::string &) {};
};

// Runs until the machine stops (or SIGTERM). Throws only when it cannot listen at all. On Windows
// it also serves the named pipe `\\.\pipe\machine-NAME` (platform/api_pipe.h), relayed to the
// socket.
void run_forwarder(const ForwarderOptions &options);

} // namespace machine
