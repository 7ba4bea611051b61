#pragma once
// The files of a QEMU machine, inside the folders the machine's Layout gives it. The names are
// those of every version so far: machines made before keep working.
#include "machine/layout.h"
#include "providers/qemu/virtiofsd.h"

#include <filesystem>
#include <string>

namespace machine {

struct QemuFiles {
    explicit QemuFiles(const Layout &layout);

    std::filesystem::path disk;          // qcow2 overlay on the cached base image
    std::filesystem::path ignition;      // handed over through fw_cfg opt/com.coreos/config
    std::filesystem::path seed_image;    // a seed disk (ISO 9660): "cidata", or "ignition"
    std::filesystem::path efi_vars;      // this machine's UEFI variables, for firmware boot
    std::filesystem::path log;           // QEMU's own stdout and stderr
    std::filesystem::path pid;           // written by QEMU (-pidfile)
    std::filesystem::path qmp_socket;    // the monitor
    std::filesystem::path events_socket; // a second monitor, the forwarder's: STOP and RESUME
    std::filesystem::path ready_socket;  // virtio-serial org.fedoraproject.port.0; we listen
                                         // (POSIX; Windows: ready_pipe_name below)
    std::filesystem::path mux_socket;    // virtio-serial org.machine.mux.0; QEMU listens
    std::filesystem::path memory;        // the guest's RAM (memory-backend-file, share=on)
    std::filesystem::path saved_state;   // `stop --suspend`: the devices' state (a migration)
    std::filesystem::path saved_from;    // ...and what it was saved from (the launch's fingerprint)

    // The virtiofsd serving host folder `index` (mount tag volINDEX), when folders go over
    // virtiofs: its vhost-user socket, pid file and log.
    VirtiofsdFiles virtiofsd(std::size_t index) const;

private:
    std::filesystem::path runtime_dir_, data_dir_;
};

// On Windows QEMU serves the ready port as a named pipe; this is its name under \\.\pipe\:
// machine-NAME+HASH-ready. Pipe names are one namespace for all the host's users: HASH, 16 hex
// digits of the SHA-256 of the machine's runtime folder (the user's own), keeps two users'
// machines of one name apart, and '+', in no machine name, keeps it from every API pipe
// (machine-NAME). Throws InvalidInput("name") for a name that is not a machine name.
std::string ready_pipe_name(const Layout &layout);

} // namespace machine
