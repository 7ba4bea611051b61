#pragma once
// Every wsl.exe command line the WSL provider runs, as data. Each carries WSL_UTF8=1, so what
// wsl.exe itself prints (lists, errors) is UTF-8 rather than UTF-16. Commands in the distribution
// run as root with --exec: no shell between wsl.exe and the program, so its arguments arrive as
// given and its stdin and stdout are the program's own.
#include "machine/command.h"

#include <string>
#include <string_view>
#include <vector>

namespace machine {

inline constexpr std::string_view wsl_program = "wsl.exe";
// Where the guest image installs the agent (guest-image/hooks/customize40-agent).
inline constexpr std::string_view wsl_agent_path = "/usr/local/bin/machine-agent";

// The distribution a machine is: "machine-NAME".
std::string wsl_distribution(const std::string &machine);

// `wsl --import`: a new WSL 2 distribution whose disk (ext4.vhdx) WSL keeps in `install_dir`,
// filled from the uncompressed root filesystem tarball `rootfs_tar`.
Command wsl_import(const std::string &distribution, const std::string &install_dir,
                   const std::string &rootfs_tar);

// What WSL's own start needs before systemd first boots the distribution: /etc/wsl.conf (its
// contents on stdin), the units of the image that must not run under WSL masked, and the image's
// /etc/resolv.conf link to systemd-resolved removed so that WSL writes its own.
Command wsl_setup(const std::string &distribution, const std::string &wsl_conf);

// The units masked by wsl_setup(): WSL configures eth0 and DNS itself, in a network namespace
// every distribution shares (networkd's DHCP there would break them all), and the host runs the
// agent through wsl.exe, so the boot-time agent and its fw_cfg/vsock API service have nothing to
// talk to.
std::vector<std::string> wsl_masked_units();

// The agent applying `ignition` (on its stdin) and writing "Ready" to its stdout: at once with
// `wait` false (init provisions), else once sshd and the podman socket are up (start).
Command wsl_provision(const std::string &distribution, const std::string &ignition, bool wait);

// machine-mux on the agent's stdin and stdout: the forwarder's link to the guest.
Command wsl_mux_stdio(const std::string &distribution);

// A login shell in `distribution` as `user`, or `command_line` run by /bin/sh there (what
// `machine ssh` does where there is no SSH); on the user's terminal, so without WSL_UTF8, which
// only changes wsl.exe's own messages.
Command wsl_login(const std::string &distribution, const std::string &user,
                  const std::string &command_line);

Command wsl_terminate(const std::string &distribution);
Command wsl_unregister(const std::string &distribution);
Command wsl_list_running(); // the names of the running distributions, one a line
Command wsl_list_all();     // the names of every registered distribution

} // namespace machine
