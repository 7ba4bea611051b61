#include "machine/guest_user.h"

#include "platform/host.h"

namespace machine {

int guest_user_uid() {
    int uid = platform::host_user_id();
    return uid >= 1000 && uid < 60000 ? uid : 1000;
}

} // namespace machine
