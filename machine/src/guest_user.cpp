#include "machine/guest_user.h"

#include "platform/host.h"

#include <string>

namespace machine {

int guest_user_uid() {
    int uid = platform::host_user_id();
    return uid >= 1000 && uid < 60000 ? uid : 1000;
}

std::string guest_api_socket(bool rootful, int uid) {
    return rootful ? "/run/podman/podman.sock"
                   : "/run/user/" + std::to_string(uid) + "/podman/podman.sock";
}

} // namespace machine
