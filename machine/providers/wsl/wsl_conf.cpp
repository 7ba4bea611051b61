#include "providers/wsl/wsl_conf.h"

namespace machine {

std::string render_wsl_conf(const std::string &user) {
    return "# Written by machine when it made this distribution; WSL reads it at every start.\n"
           "[boot]\n"
           "# systemd as PID 1: sshd, the podman socket and the user's manager, as in every "
           "machine\n"
           "systemd=true\n"
           "\n"
           "[user]\n"
           "default=" +
           user +
           "\n"
           "\n"
           "[network]\n"
           "# WSL configures eth0 and writes resolv.conf and hosts; networkd and resolved are "
           "masked\n"
           "generateResolvConf=true\n"
           "generateHosts=true\n"
           "\n"
           "[automount]\n"
           "# the Windows drives, under /mnt (C: is /mnt/c): WSL's own share of host folders\n"
           "enabled=true\n"
           "root=/mnt/\n";
}

} // namespace machine
