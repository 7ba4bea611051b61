#pragma once
// One boot of the guest agent, in order:
//   1. read the Ignition config from QEMU's fw_cfg; without one, go on only if this machine was
//      provisioned before (the marker file), else stop: no Ready;
//   2. parse it (a malformed config stops here: nothing changed, no Ready) and apply it;
//   3. set the running hostname if /etc/hostname was written (systemd read it earlier);
//      systemctl daemon-reload if anything changed, and start the enabled units whose files or
//      links changed (the boot transaction was computed before they were enabled; a failure to
//      start is logged: the readiness checks name what is missing);
//   4. tell systemd the files are in place (READY=1 for Type=notify), so sshd and logind start;
//   5. wait until sshd and the podman API socket accept connections, write "Ready" to the
//      virtio-serial port, and record the provisioned marker (with the socket to wait for);
//   6. grow the root filesystem to its disk (a failure is logged, not fatal): after Ready, as
//      it competes with the boot for CPU and the machine works meanwhile.
#include "provisioning/agent/log.h"
#include "provisioning/agent/options.h"
#include "provisioning/agent/readiness.h"
#include "provisioning/agent/system.h"

#include <cstdint>
#include <string_view>

namespace machine::agent {

// The guest paths of the contract (docs/design.md, "The guest contract").
inline constexpr std::string_view config_path =
    "/sys/firmware/qemu_fw_cfg/by_name/opt/com.coreos/config/raw";
inline constexpr std::string_view ready_port_path = "/dev/virtio-ports/org.fedoraproject.port.0";
inline constexpr std::string_view marker_path = "/var/lib/machine-agent/provisioned";
inline constexpr std::string_view console_path = "/dev/console";
inline constexpr std::string_view hostname_path = "/etc/hostname";
inline constexpr std::string_view rootful_podman_socket = "/run/podman/podman.sock";
inline constexpr std::uint16_t ssh_port = 22;

// Returns once Ready was sent; throws AgentError (ConfigError for a malformed config) when it
// must not be.
void run_agent(const Options &options, System &system, const Log &log);

} // namespace machine::agent
