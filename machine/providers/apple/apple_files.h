#pragma once
// The files of a vfkit or krunkit machine, inside the folders its Layout gives it. Sockets are in
// the runtime folder, which the lifecycle empties at every start and stop; their names are short,
// since macOS allows 104 bytes for a socket's path.
#include "machine/layout.h"

#include <filesystem>

namespace machine {

struct AppleFiles {
    explicit AppleFiles(const Layout &layout);

    std::filesystem::path disk;            // raw: a clone of the cached image, grown to the size
    std::filesystem::path efi_vars;        // the EFI variable store vfkit makes at the first boot
    std::filesystem::path ignition;        // the config served over vsock 1024
    std::filesystem::path hypervisor_log;  // vfkit's or krunkit's own output
    std::filesystem::path gvproxy_log;     // krunkit's network
    std::filesystem::path pid;             // the hypervisor's pid, as we started it
    std::filesystem::path rest_socket;     // --restful-uri: state and stop
    std::filesystem::path ready_socket;    // vsock 1025; we listen, vfkit connects per guest call
    std::filesystem::path ignition_socket; // vsock 1024; likewise
    std::filesystem::path mux_socket;      // vsock 1026; vfkit listens, the guest agent serves
    std::filesystem::path gvproxy_socket;  // krunkit's network (unixgram), gvproxy's
    std::filesystem::path gvproxy_pid;     // written by gvproxy
};

} // namespace machine
