#pragma once
// Which uid the guest's user gets, decided at init and kept in the config (ssh.uid), and where
// the engine's API socket is in the guest.
#include <string>

namespace machine {

// The guest user's uid, chosen at init (config.ssh.uid): the host user's own when it is an
// ordinary Linux user's (1000-59999), so that files in shared folders (9p passes uids through) are
// the guest user's, as they are the host user's; otherwise (root, macOS's 501, Windows) 1000, the
// first user's on our images and on Fedora CoreOS. The rootless podman API socket's guest path is
// per uid.
int guest_user_uid();

// podman's API socket in the guest: rootful's, or the rootless one of the user with `uid`.
std::string guest_api_socket(bool rootful, int uid);

} // namespace machine
