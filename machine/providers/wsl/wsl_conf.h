#pragma once
// /etc/wsl.conf of a machine's distribution: what WSL reads each time it starts it. (CPUs, memory
// and disk size are not in it: they belong to WSL's one VM, in the user's %UserProfile%\.wslconfig,
// shared by every distribution.)
#include <string>

namespace machine {

// `user` is the machine's user, the one `wsl -d machine-NAME` logs in as.
std::string render_wsl_conf(const std::string &user);

} // namespace machine
